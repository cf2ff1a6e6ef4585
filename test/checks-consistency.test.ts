// The task-platform scenario (seed 001) on PostgreSQL, MariaDB and SQLite: a consistency check finds
// exactly the SUCCESS tasks without outputs in its window, its delay figures equal an exact
// computation, every run is kept, a failing query is an `error` run with the database's message,
// and the connection is read-only unless marked writable.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checksModule } from '../src/checks/checks-module.js';
import type { Checks } from '../src/checks/checks-runtime.js';
import type { CheckConnection } from '../src/checks/connections/check-connection.js';
import { openCheckConnection } from '../src/checks/connections/open-check-connection.js';
import { findStillMissing } from '../src/checks/consistency/run-consistency.js';
import { sqlDialect } from '../src/checks/sql/sql-dialect.js';
import { compileConfig } from '../src/config/compile-config.js';
import type { CompiledConsistencyCheck } from '../src/config/compiled-checks.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { hasCode } from '../src/internal/errors.js';
import { silentLogger } from '../src/internal/logger.js';
import { TEAM_DATABASES } from './helpers/checks-team-databases.js';
import {
  createTaskTables,
  expectedConsistency,
  insertRows,
  type OutputRow,
  taskPlatformDay,
} from './helpers/task-platform.js';
import { tempDir } from './helpers/temp-dir.js';

const BASE = Date.UTC(2026, 2, 1);
const DAY = 86_400_000;
const LATE_MS = 20 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const side = {
  parents: { table: 'tasks', key: 'id', time: 'finished_at', where: "status = 'SUCCESS'" },
  children: { table: 'task_outputs', key: 'task_id', time: 'created_at' },
};

for (const team of TEAM_DATABASES) {
  describe(`consistency check on ${team.dialect}`, { skip: team.skip }, () => {
    const tmp = tempDir();
    let drop: () => Promise<void>;
    let admin: CheckConnection;
    let engine: Engine;
    let checks: Checks;
    const day = taskPlatformDay(BASE);
    let outputs: OutputRow[] = day.outputs;

    before(async () => {
      const db = await team.create();
      drop = db.drop;
      const config = compileConfig(
        {
          store: { sqlite: join(tmp.dir, 'gapwarden.db') },
          datasets: {},
          connections: { app: db.config, writer: { ...db.config, writable: true } },
          checks: {
            outputs: { kind: 'consistency', connection: 'app', ...side, lateAfter: '20m', sample: 500 },
            small: { kind: 'consistency', connection: 'app', ...side, sample: 3 },
            typo: {
              kind: 'consistency',
              connection: 'app',
              parents: { ...side.parents, table: 'taks' },
              children: side.children,
            },
            syntax: {
              kind: 'consistency',
              connection: 'app',
              parents: { ...side.parents, where: "status = = 'SUCCESS'" },
              children: side.children,
            },
          },
        },
        { env: {} },
      );
      admin = openCheckConnection(config.checks.connections.find((c) => c.name === 'writer')!);
      await createTaskTables(admin);
      await insertRows(admin, 'tasks', day.tasks);
      await insertRows(admin, 'task_outputs', outputs);
      engine = createEngine({ config, logger: silentLogger });
      await engine.open();
      checks = engine.module(checksModule);
    });
    after(async () => {
      await checks?.stop();
      await engine?.stop();
      await admin?.close();
      await drop?.();
      tmp.cleanup();
    });

    it('finds exactly the SUCCESS tasks of the window without outputs, and the same as a hand-written anti-join', async () => {
      const want = expectedConsistency(day.tasks, outputs, BASE, BASE + DAY, LATE_MS);
      assert.ok(want.missing.length >= 10 && want.parents > 100, 'the fixture has something to find');
      const run = await checks.run('outputs', { fromMs: BASE, toMs: BASE + DAY, trigger: 'manual' });
      // About 1 in 13 SUCCESS tasks lacks its output: a completion rate between 80% and 95%.
      assert.equal(run.status, 'degraded', run.error);
      assert.equal(run.level, 'medium');
      assert.equal(run.total, want.parents);
      assert.equal(run.findings, want.missing.length);
      assert.deepEqual(
        run.sample.map((f) => f.key),
        want.missing,
      );
      assert.equal(
        run.sample[0]!.fields.finished_at,
        iso(day.tasks.find((t) => t.id === Number(want.missing[0]))!.finishedAt),
      );
      const d = sqlDialect(admin.dialect);
      const anti = await admin.query(
        `SELECT t.id FROM tasks t WHERE t.status = 'SUCCESS' AND ${d.timestampColumn('t.finished_at')} >= ${d.timestampParam(1)} AND ${d.timestampColumn('t.finished_at')} < ${d.timestampParam(2)}
         AND NOT EXISTS (SELECT 1 FROM task_outputs o WHERE o.task_id = t.id) ORDER BY t.finished_at`,
        [d.timestampValue(BASE), d.timestampValue(BASE + DAY)],
      );
      assert.deepEqual(
        anti.rows.map((r) => String(r.id)),
        want.missing,
      );
      const expectedScore =
        Math.round(((want.parents - want.missing.length) / want.parents) * 100 * 10_000) / 10_000;
      assert.equal(run.score, expectedScore);
    });

    it('computes delay p50, p95, max and the late count exactly (nearest rank over first outputs)', async () => {
      const want = expectedConsistency(day.tasks, outputs, BASE, BASE + DAY, LATE_MS);
      const run = await checks.run('outputs', { fromMs: BASE, toMs: BASE + DAY, trigger: 'manual' });
      assert.deepEqual(run.delay, { p50: want.p50, p95: want.p95, max: want.max, late: want.late });
      assert.ok(want.late > 0 && want.late < want.parents, 'some outputs are late, not all');
    });

    it('looks only inside its window: a window with no parents scores 100 and finds nothing', async () => {
      const run = await checks.run('outputs', {
        fromMs: BASE + 2 * DAY,
        toMs: BASE + 3 * DAY,
        trigger: 'manual',
      });
      assert.equal(run.status, 'healthy');
      assert.equal(run.score, 100);
      assert.equal(run.total, 0);
      assert.equal(run.findings, 0);
    });

    it('keeps a bounded sample but counts every finding', async () => {
      const want = expectedConsistency(day.tasks, outputs, BASE, BASE + DAY, LATE_MS);
      const run = await checks.run('small', { fromMs: BASE, toMs: BASE + DAY, trigger: 'manual' });
      assert.equal(run.findings, want.missing.length);
      assert.deepEqual(
        run.sample.map((f) => f.key),
        want.missing.slice(0, 3),
      );
    });

    it('re-verifies findings: a key whose output arrived since is no longer missing', async () => {
      const want = expectedConsistency(day.tasks, outputs, BASE, BASE + DAY, LATE_MS);
      const [fixed, ...rest] = want.missing;
      const arrived = { id: 9_999, taskId: Number(fixed), createdAt: BASE + DAY };
      await insertRows(admin, 'task_outputs', [arrived]);
      outputs = [...outputs, arrived];
      const check = checks.get('outputs') as CompiledConsistencyCheck;
      const still = await findStillMissing(check, checks.connection('app'), [...want.missing, '10']);
      // '10' is a FAILED task: it never was a finding, so it is not one now.
      assert.deepEqual(
        still.map((f) => f.key),
        rest,
      );
    });

    it('records an error run with the database message for an unknown table and for a syntax error, and goes on', async () => {
      const typo = await checks.run('typo', { trigger: 'manual' });
      assert.equal(typo.status, 'error');
      assert.equal(typo.score, undefined);
      assert.equal(typo.level, undefined);
      assert.match(typo.error ?? '', /taks/);
      assert.match(typo.error ?? '', /exist|no such table/i);
      const syntax = await checks.run('syntax', { trigger: 'manual' });
      assert.equal(syntax.status, 'error');
      assert.match(syntax.error ?? '', /syntax|near/i);
      const ok = await checks.run('outputs', { fromMs: BASE, toMs: BASE + DAY, trigger: 'manual' });
      assert.notEqual(ok.status, 'error');
      const kept = await checks.store.listRuns('typo', { limit: 10 });
      assert.equal(kept[0]?.id, typo.id);
      assert.equal(kept[0]?.error, typo.error);
    });

    it('keeps every run, newest first, and the last run per check', async () => {
      const before = await checks.store.listRuns('outputs', { limit: 100 });
      const run = await checks.run('outputs', { profile: 'quick', trigger: 'manual' });
      const afterRuns = await checks.store.listRuns('outputs', { limit: 100 });
      assert.equal(afterRuns.length, before.length + 1);
      assert.deepEqual(afterRuns[0], run);
      assert.equal(run.profile, 'quick');
      assert.equal(run.toMs - run.fromMs, 3_600_000);
      const last = await checks.store.lastRuns();
      assert.equal(last.find((r) => r.check === 'outputs')?.id, run.id);
    });

    it('is read-only unless writable: the database refuses a write, and a transaction is refused', async () => {
      const ro = checks.connection('app');
      await assert.rejects(ro.query('DELETE FROM tasks'), (err: unknown) => {
        assert.ok(hasCode(err, 'CONNECTION_FAILED'), String(err));
        assert.match(String((err as Error).message), /read.?only|readonly/i);
        return true;
      });
      await assert.rejects(
        ro.transaction(async () => 1),
        (err: unknown) =>
          hasCode(err, 'CONNECTION_READ_ONLY') && /writable: true/.test((err as Error).message),
      );
      const { rows } = await admin.query('SELECT count(*) AS n FROM tasks');
      assert.equal(Number(rows[0]!.n), day.tasks.length, 'nothing was deleted');
    });
  });
}

// Consistency checks whose parents or children are gapwarden datasets (issue 14): the task-platform
// day stored as two datasets, as a dataset against a table of the team's SQLite database and the
// other way round, and two hourly calendar datasets joined by partition. Every variant must find
// exactly what the hand computation finds (the same numbers as the all-SQL check), a repair
// re-verifies against the dataset, and bad dataset sides are config errors that name the field.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ChecksWithRepairs, checksModule } from '../src/checks/checks-module.js';
import type { CheckConnection } from '../src/checks/connections/check-connection.js';
import { openCheckConnection } from '../src/checks/connections/open-check-connection.js';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { hasCode } from '../src/internal/errors.js';
import { silentLogger } from '../src/internal/logger.js';
import {
  createTaskTables,
  expectedConsistency,
  insertRows,
  type OutputRow,
  type TaskRow,
  taskPlatformDay,
} from './helpers/task-platform.js';
import { tempDir } from './helpers/temp-dir.js';

const BASE = Date.UTC(2026, 2, 1);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const LATE_MS = 20 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const taskRecord = (t: TaskRow) => ({
  key: String(t.id),
  partition: t.id,
  payload: { id: t.id, status: t.status, finishedAt: iso(t.finishedAt) },
});
const outputRecord = (o: OutputRow) => ({
  key: String(o.id),
  partition: o.id,
  // Epoch milliseconds: a dataset side reads ISO text and epoch ms alike.
  payload: { id: o.id, taskId: o.taskId, createdAt: o.createdAt },
});

const TASKS_SIDE = { dataset: 'tasks', key: '$partition', time: 'finishedAt', where: { status: 'SUCCESS' } };
const OUTPUTS_SIDE = { dataset: 'task-outputs', key: 'taskId', time: 'createdAt' };
const TABLE_TASKS = { table: 'tasks', key: 'id', time: 'finished_at', where: "status = 'SUCCESS'" };
const TABLE_OUTPUTS = { table: 'task_outputs', key: 'task_id', time: 'created_at' };

describe('consistency checks with gapwarden datasets as sides', () => {
  const tmp = tempDir();
  const day = taskPlatformDay(BASE);
  let outputs: OutputRow[] = day.outputs;
  let engine: Engine;
  let checks: ChecksWithRepairs;
  let admin: CheckConnection;
  const repaired: string[] = [];
  /** An output the repair function stores while repairing a key (it arrives between two batches). */
  let arriveWhile: { key: string; output: OutputRow } | undefined;

  before(async () => {
    writeFileSync(join(tmp.dir, 'app.db'), '');
    const common = { lateAfter: '20m', sample: 500 };
    const config = compileConfig(
      {
        store: { sqlite: join(tmp.dir, 'gapwarden.db') },
        server: { enabled: false },
        datasets: {
          tasks: { partition: { sequence: { start: 1 } } },
          'task-outputs': { partition: { sequence: { start: 1 } } },
          reports: { partition: { calendar: { every: '1h', start: iso(BASE), horizon: false } } },
          exports: { partition: { calendar: { every: '1h', start: iso(BASE), horizon: false } } },
        },
        connections: {
          app: { sqlite: join(tmp.dir, 'app.db') },
          admin: { sqlite: join(tmp.dir, 'app.db'), writable: true },
        },
        checks: {
          'both-datasets': {
            kind: 'consistency',
            parents: TASKS_SIDE,
            children: OUTPUTS_SIDE,
            ...common,
            repair: {
              function: {
                run: async ({ key }: { key: string }) => {
                  repaired.push(key);
                  if (arriveWhile?.key === key)
                    await engine.ingest('task-outputs', [outputRecord(arriveWhile.output)]);
                  return { stored: key };
                },
              },
              batchSize: 2,
            },
          },
          'table-parents': {
            kind: 'consistency',
            connection: 'app',
            parents: TABLE_TASKS,
            children: OUTPUTS_SIDE,
            ...common,
          },
          'table-children': {
            kind: 'consistency',
            connection: 'app',
            parents: TASKS_SIDE,
            children: TABLE_OUTPUTS,
            ...common,
          },
          'all-sql': {
            kind: 'consistency',
            connection: 'app',
            parents: TABLE_TASKS,
            children: TABLE_OUTPUTS,
            ...common,
          },
          hourly: {
            kind: 'consistency',
            parents: { dataset: 'reports', key: '$partition', time: '$partition' },
            children: { dataset: 'exports', key: '$partition', time: '$ingestedAt' },
          },
        },
      },
      { env: {} },
    );
    admin = openCheckConnection(config.checks.connections.find((c) => c.name === 'admin')!);
    await createTaskTables(admin);
    await insertRows(admin, 'tasks', day.tasks);
    await insertRows(admin, 'task_outputs', outputs);
    engine = createEngine({ config, logger: silentLogger });
    await engine.open();
    await engine.ingest('tasks', day.tasks.map(taskRecord));
    await engine.ingest('task-outputs', outputs.map(outputRecord));
    checks = engine.module(checksModule);
  });
  after(async () => {
    await checks?.stop();
    await engine?.stop();
    await admin?.close();
    tmp.cleanup();
  });

  for (const name of ['both-datasets', 'table-parents', 'table-children']) {
    it(`${name}: finds exactly the SUCCESS tasks without outputs, with exact delay figures, as the all-SQL check does`, async () => {
      const want = expectedConsistency(day.tasks, outputs, BASE, BASE + DAY, LATE_MS);
      assert.ok(want.missing.length >= 10 && want.late > 0, 'the fixture has something to find');
      const run = await checks.run(name, { fromMs: BASE, toMs: BASE + DAY, trigger: 'manual' });
      assert.equal(run.status, 'degraded', run.error);
      assert.equal(run.total, want.parents);
      assert.equal(run.findings, want.missing.length);
      assert.deepEqual(
        run.sample.map((f) => f.key),
        want.missing,
      );
      assert.deepEqual(run.delay, { p50: want.p50, p95: want.p95, max: want.max, late: want.late });
      const sql = await checks.run('all-sql', { fromMs: BASE, toMs: BASE + DAY, trigger: 'manual' });
      assert.equal(run.score, sql.score);
      assert.deepEqual(run.delay, sql.delay);
    });
  }

  it('a parent is read only inside the window: the day after scores 100 with nothing to find', async () => {
    const run = await checks.run('both-datasets', {
      fromMs: BASE + 2 * DAY,
      toMs: BASE + 3 * DAY,
      trigger: 'manual',
    });
    assert.equal(run.status, 'healthy');
    assert.equal(run.total, 0);
    // The ten SUCCESS tasks just after the window have no outputs: a window over them finds them.
    const next = await checks.run('both-datasets', {
      fromMs: BASE + DAY,
      toMs: BASE + 2 * DAY,
      trigger: 'manual',
    });
    assert.deepEqual(
      next.sample.map((f) => f.key),
      Array.from({ length: 10 }, (_, j) => String(2001 + j)),
    );
  });

  it('a repair re-verifies each batch against the dataset: an output that arrived meanwhile is not repaired', async () => {
    const want = expectedConsistency(day.tasks, outputs, BASE, BASE + DAY, LATE_MS);
    const window = { fromMs: BASE, toMs: BASE + DAY };
    const preview = await checks.repairs.repair('both-datasets', { dryRun: true, ...window });
    assert.deepEqual(
      preview.preview.map((p) => p.key),
      want.missing,
    );
    // While the first batch is repaired, the output of a task in the second batch arrives.
    const [first, , third, ...rest] = want.missing;
    const late: OutputRow = { id: 9_999, taskId: Number(third), createdAt: BASE + DAY };
    arriveWhile = { key: first!, output: late };
    const report = await checks.repairs.repair('both-datasets', window);
    outputs = [...outputs, late];
    assert.equal(report.status, 'done', report.error ?? undefined);
    assert.equal(report.counts.fixedMeanwhile, 1);
    assert.equal(report.counts.repaired, want.missing.length - 1);
    assert.deepEqual(repaired, [first, want.missing[1], ...rest]);
    const after = await checks.run('both-datasets', { ...window, trigger: 'manual' });
    assert.equal(after.findings, want.missing.length - 1, 'the function repair stored nothing itself');
  });

  it('two calendar datasets joined by partition: missing hours, and delays from partition start to arrival', async () => {
    const hours = Array.from({ length: 24 }, (_, h) => BASE + h * HOUR);
    const rec = (ms: number) => ({ key: iso(ms), partition: iso(ms), payload: { hour: iso(ms) } });
    await engine.ingest('reports', hours.map(rec));
    const dropped = new Set([3, 4, 17]);
    const before = Date.now();
    await engine.ingest('exports', hours.filter((_, h) => !dropped.has(h)).map(rec));
    const run = await checks.run('hourly', { fromMs: BASE + HOUR, toMs: BASE + DAY, trigger: 'manual' });
    assert.equal(run.total, 23, 'the hours starting in the window, not the first');
    assert.equal(run.findings, 3);
    const expectedKeys = [3, 4, 17].map((h) =>
      engine
        .dataset('reports')
        .config.partitioning.valueOf(
          engine.dataset('reports').config.partitioning.latestDue(BASE + h * HOUR)!,
        ),
    );
    assert.deepEqual(
      run.sample.map((f) => f.key),
      expectedKeys.map(String),
    );
    assert.equal(run.sample[0]!.fields.$partition, iso(BASE + 3 * HOUR));
    // Each export arrived now: the delay is now minus the hour's start, the largest for the first hour.
    assert.ok(run.delay?.max !== undefined && run.delay.max >= before - (BASE + HOUR));
    assert.ok(run.delay.max <= Date.now() - (BASE + HOUR));
  });

  it('a check whose dataset side cannot be read records an error run and goes on', async () => {
    await admin.query('DROP TABLE task_outputs');
    const broken = await checks.run('table-children', { fromMs: BASE, toMs: BASE + DAY, trigger: 'manual' });
    assert.equal(broken.status, 'error');
    assert.match(broken.error ?? '', /task_outputs/);
    const ok = await checks.run('both-datasets', { fromMs: BASE, toMs: BASE + DAY, trigger: 'manual' });
    assert.notEqual(ok.status, 'error');
  });
});

describe('dataset sides: config errors name the field and say what to fix', () => {
  const compile = (check: Record<string, unknown>) =>
    compileConfig(
      {
        store: { sqlite: ':memory:' },
        datasets: {
          draws: { partition: { sequence: { start: 1 } } },
          hours: { partition: { calendar: { every: '1h' } } },
        },
        connections: { app: { sqlite: ':memory:' } },
        checks: { c: { kind: 'consistency', ...check } },
      },
      { env: {} },
    );
  const refused = (check: Record<string, unknown>, path: string, message: RegExp) => {
    assert.throws(
      () => compile(check),
      (err: unknown) => {
        assert.ok(hasCode(err, 'CONFIG_INVALID'), String(err));
        assert.match(String(err), new RegExp(path.replace(/\./g, '\\.')));
        assert.match(String(err), message);
        return true;
      },
    );
  };

  it('accepts two datasets without a connection', () => {
    const config = compile({
      parents: { dataset: 'hours', key: '$partition', time: '$partition' },
      children: { dataset: 'draws', key: 'hour', time: '$ingestedAt', where: { ok: [true, 1] } },
    });
    const c = config.checks.checks[0]!;
    assert.equal(c.kind, 'consistency');
    assert.deepEqual(c.kind === 'consistency' && c.children.kind === 'dataset' && c.children.match, {
      ok: [true, 1],
    });
  });

  it('refuses an unknown dataset, a sequence partition as a time, $ingestedAt as a key', () => {
    const children = { dataset: 'draws', key: 'n', time: 'at' };
    refused(
      { parents: { dataset: 'nope', key: 'n', time: 'at' }, children },
      'checks.c.parents.dataset',
      /not configured/,
    );
    refused(
      { parents: { dataset: 'draws', key: 'n', time: '$partition' }, children },
      'checks.c.parents.time',
      /sequence/,
    );
    refused(
      { parents: { dataset: 'draws', key: '$ingestedAt', time: 'at' }, children },
      'checks.c.parents.key',
      /not a key/,
    );
  });

  it('refuses a table side without a connection, SQL on a dataset side, a field match on a table side, two sources on one side', () => {
    const ds = { dataset: 'draws', key: 'n', time: 'at' };
    refused({ parents: TABLE_TASKS, children: ds }, 'checks.c.connection', /name the connection/);
    refused(
      { parents: { ...ds, where: "status = 'SUCCESS'" }, children: ds },
      'checks.c.parents.where',
      /match payload fields/,
    );
    refused(
      { connection: 'app', parents: { ...TABLE_TASKS, where: { status: 'SUCCESS' } }, children: ds },
      'checks.c.parents.where',
      /filters with SQL/,
    );
    refused(
      { connection: 'app', parents: { ...TABLE_TASKS, dataset: 'draws' }, children: ds },
      'checks.c.parents',
      /one table, one query or one gapwarden dataset/,
    );
    refused(
      { connection: 'app', parents: { ...TABLE_TASKS, key: 'id; DROP' }, children: ds },
      'checks.c.parents.key',
      /plain identifier/,
    );
  });
});

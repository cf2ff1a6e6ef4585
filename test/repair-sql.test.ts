// SQL repairs of a consistency check on the task-platform schema, on SQLite, PostgreSQL and MariaDB through
// the checks module's connections, with the journal in a SQLite store: dry-run changes nothing and lists
// exactly the statements; a run in batches while outputs keep arriving repairs only what is still missing;
// a failing batch stops the run with what was done recorded; rollback restores the exact prior rows, is
// refused where a row changed since, and a second rollback is refused.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sqlConsistencyQueries } from '../src/checks/consistency/consistency-queries.js';
import { type RepairTarget, runRepair } from '../src/checks/repair/repair-runner.js';
import { repairTargetFor } from '../src/checks/repair/repair-target.js';
import { rollbackRun } from '../src/checks/repair/rollback-run.js';
import type { RepairStore } from '../src/checks/repair/store/repair-store.js';
import { repairStorePart } from '../src/checks/repair/store/repair-store-part.js';
import { compileConfig } from '../src/config/compile-config.js';
import type { CompiledConsistencyCheck } from '../src/config/compiled-checks.js';
import { systemClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import {
  param,
  TEAM_DATABASES,
  type TeamDatabase,
  taskPlatformSchema,
  timeValue,
} from './helpers/repair-databases.js';

const NOW = Date.now();
const MIN = 60_000;
/** SUCCESS tasks 1..20; the even ones have their output, the odd ones (10) do not; task 21 FAILED without one. */
const SUCCESS = Array.from({ length: 20 }, (_, i) => i + 1);
const MISSING = SUCCESS.filter((id) => id % 2 === 1).map(String);

function statements(dialect: TeamDatabase['dialect']) {
  const k = dialect === 'postgres' ? '{{key}}::bigint' : '{{key}}';
  const now = dialect === 'postgres' ? '{{now}}::timestamptz' : '{{now}}';
  const from = dialect === 'mysql' ? ' FROM DUAL' : '';
  return {
    insert: `INSERT INTO task_outputs (task_id, payload, created_at) SELECT ${k}, 'repaired', ${now}${from}
      WHERE NOT EXISTS (SELECT 1 FROM task_outputs WHERE task_id = ${k})`,
    // Fails (NOT NULL) for task 7 only.
    failingAt7: `INSERT INTO task_outputs (task_id, payload, created_at)
      VALUES (${k}, CASE WHEN ${k} = 7 THEN NULL ELSE 'repaired' END, ${now})`,
    update: `UPDATE tasks SET status = 'RETRY', finished_at = ${now} WHERE id = ${k} AND status = 'SUCCESS'`,
  };
}

async function seed(db: TeamDatabase) {
  for (const sql of taskPlatformSchema(db.dialect)) await db.writer.query(sql);
  const p = (n: number) => param(db.dialect, n);
  for (const id of [...SUCCESS, 21]) {
    await db.writer.query(`INSERT INTO tasks (id, status, finished_at) VALUES (${p(1)}, ${p(2)}, ${p(3)})`, [
      id,
      id === 21 ? 'FAILED' : 'SUCCESS',
      timeValue(db.dialect, NOW - 60 * MIN + id * MIN),
    ]);
    if (id % 2 === 0) await addOutput(db, id, 'app');
  }
}

async function addOutput(db: TeamDatabase, id: number, payload: string) {
  const p = (n: number) => param(db.dialect, n);
  await db.other.query(
    `INSERT INTO task_outputs (task_id, payload, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)})`,
    [id, payload, timeValue(db.dialect, NOW - 30 * MIN + id * 1000)],
  );
}

/** Every row of a table, in a stable order, as JSON text: what "exactly the prior rows" is compared by. */
async function snapshot(db: TeamDatabase, table: string) {
  const { rows } = await db.writer.query(`SELECT * FROM ${table} ORDER BY id`);
  return JSON.stringify(rows);
}

function compileCheck(db: TeamDatabase, repair: Record<string, unknown>): CompiledConsistencyCheck {
  const key = db.dialect === 'mysql' ? 'mysql' : db.dialect;
  const config = compileConfig(
    {
      datasets: {},
      connections: { app: { [key]: db.target, writable: true } },
      checks: {
        outputs: {
          kind: 'consistency',
          connection: 'app',
          parents: { table: 'tasks', key: 'id', time: 'finished_at', where: "status = 'SUCCESS'" },
          children: { table: 'task_outputs', key: 'task_id', time: 'created_at' },
          repair,
        },
      },
    },
    { baseDir: '/tmp', env: {} },
  );
  return config.checks.checks[0] as CompiledConsistencyCheck;
}

for (const kind of TEAM_DATABASES) {
  describe(`SQL repair on ${kind.dialect}`, { skip: kind.skip }, () => {
    let db: TeamDatabase;
    let dir: string;
    let store: Store;
    let journal: RepairStore;
    const deps = () => ({ store: journal, clock: systemClock, logger: silentLogger });
    const target = (check: CompiledConsistencyCheck): RepairTarget =>
      repairTargetFor({
        check,
        reader: sqlConsistencyQueries(check, db.writer),
        writer: db.writer,
        fromMs: NOW - 120 * MIN,
        toMs: NOW + MIN,
      });
    const outputsOf = async (payload: string) =>
      (
        await db.writer.query(
          `SELECT task_id FROM task_outputs WHERE payload = ${param(db.dialect, 1)} ORDER BY task_id`,
          [payload],
        )
      ).rows.map((r) => String(r.task_id));

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'gapwarden-repair-journal-'));
      store = createSqliteStore({ path: join(dir, 'store.db') });
      journal = store.part(repairStorePart);
      await store.migrate();
    });
    after(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });

    const fresh = async () => {
      await db?.drop();
      db = await kind.create();
      await seed(db);
    };
    after(async () => db?.drop());

    it('dry-run lists exactly the statements per missing task and changes nothing', async () => {
      await fresh();
      const check = compileCheck(db, {
        sql: { statement: statements(db.dialect).insert, table: 'task_outputs', keyColumn: 'task_id' },
      });
      const before = await snapshot(db, 'task_outputs');
      const runsBefore = (await journal.listRuns({ limit: 100 })).length;
      const report = await runRepair(target(check), { dryRun: true, batchSize: 4 }, deps());
      assert.equal(report.status, 'dry-run');
      assert.deepEqual(
        report.preview.map((p) => p.key),
        MISSING,
      );
      assert.deepEqual(
        report.preview.map((p) => p.batch),
        [1, 1, 1, 1, 2, 2, 2, 2, 3, 3],
      );
      const first = report.preview[0]!.action;
      assert.match(String(first.sql), /INSERT INTO task_outputs/);
      assert.doesNotMatch(String(first.sql), /\{\{/);
      assert.equal(String((first.params as unknown[])[0]), '1');
      assert.equal(await snapshot(db, 'task_outputs'), before);
      assert.equal((await journal.listRuns({ limit: 100 })).length, runsBefore);
    });

    it('a run in batches while outputs keep arriving repairs only what is still missing, then finds nothing', async () => {
      await fresh();
      const check = compileCheck(db, {
        sql: { statement: statements(db.dialect).insert, table: 'task_outputs', keyColumn: 'task_id' },
      });
      const base = target(check);
      // The application delivers outputs while the repair runs: before batch 2 is re-verified, task 9's
      // arrives; before batch 3, task 17's.
      let batch = 0;
      const arriving: Record<number, number> = { 2: 9, 3: 17 };
      const t: RepairTarget = {
        ...base,
        async reverify(findings) {
          batch += 1;
          const id = arriving[batch];
          if (id !== undefined) await addOutput(db, id, 'app-late');
          return base.reverify(findings);
        },
      };
      const report = await runRepair(t, { batchSize: 4 }, deps());
      assert.equal(report.status, 'done');
      assert.equal(report.counts.repaired, 8);
      assert.equal(report.counts.fixedMeanwhile, 2);
      assert.equal(report.counts.batchesDone, 3);
      assert.deepEqual(await outputsOf('repaired'), ['1', '3', '5', '7', '11', '13', '15', '19']);
      assert.deepEqual(await outputsOf('app-late'), ['9', '17']);
      // Every SUCCESS task has exactly one output now; the FAILED one still has none.
      const { rows } = await db.writer.query(
        'SELECT t.id AS id, count(o.id) AS n FROM tasks t LEFT JOIN task_outputs o ON o.task_id = t.id GROUP BY t.id ORDER BY t.id',
      );
      assert.deepEqual(
        rows.map((r) => Number(r.n)),
        [...SUCCESS.map(() => 1), 0],
      );
      const actions = await journal.actions(report.journalId!);
      assert.deepEqual(
        actions.filter((a) => a.outcome === 'fixed-meanwhile').map((a) => a.key),
        ['9', '17'],
      );
      const seven = actions.find((a) => a.key === '7')!;
      assert.equal(seven.change.kind === 'sql' && seven.change.before.length, 0);
      assert.equal(seven.change.kind === 'sql' && seven.change.after.length, 1);
      // Idempotent: nothing is left to repair.
      const again = await runRepair(t, { batchSize: 4 }, deps());
      assert.equal(again.status, 'nothing-to-do');
      assert.equal(again.journalId, null);
    });

    it('rollback restores the exact prior rows; a second rollback is refused', async () => {
      await fresh();
      const check = compileCheck(db, {
        sql: { statement: statements(db.dialect).insert, table: 'task_outputs', keyColumn: 'task_id' },
      });
      const before = await snapshot(db, 'task_outputs');
      const report = await runRepair(target(check), { batchSize: 3, keys: ['1', '5', '9', '10'] }, deps());
      assert.equal(report.counts.repaired, 3);
      assert.deepEqual(report.notFindings, ['10']);
      assert.notEqual(await snapshot(db, 'task_outputs'), before);
      const undone = await rollbackRun(
        report.journalId!,
        () => ({ repair: check.repair, connection: db.writer }),
        deps(),
      );
      assert.equal(undone.undone, 3);
      assert.equal(await snapshot(db, 'task_outputs'), before);
      await assert.rejects(
        rollbackRun(report.journalId!, () => ({ repair: check.repair, connection: db.writer }), deps()),
        /already rolled back.*second rollback is refused/,
      );
      assert.equal(await snapshot(db, 'task_outputs'), before);
    });

    it('an UPDATE repair is undone from its before-images, refused while a row changed since', async () => {
      await fresh();
      const check = compileCheck(db, {
        sql: { statement: statements(db.dialect).update, table: 'tasks', keyColumn: 'id' },
      });
      const before = await snapshot(db, 'tasks');
      const report = await runRepair(target(check), { batchSize: 5, max: 6 }, deps());
      assert.equal(report.counts.repaired, 6);
      assert.equal(report.deferred, 1, 'more findings remain beyond --max');
      // Someone changes task 3 after the repair: the rollback must not overwrite that.
      await db.other.query(`UPDATE tasks SET status = 'CANCELLED' WHERE id = 3`);
      const afterChange = await snapshot(db, 'tasks');
      await assert.rejects(
        rollbackRun(report.journalId!, () => ({ repair: check.repair, connection: db.writer }), deps()),
        (err: Error) =>
          /refused: 1 finding\(s\) changed since the repair, nothing was undone: 3 /.test(err.message),
      );
      assert.equal(await snapshot(db, 'tasks'), afterChange);
      const refused = await journal.getRun(report.journalId!);
      assert.equal(refused?.rollbackStatus, null);
      assert.match(refused?.rollbackError ?? '', /changed since the repair/);
      // Put task 3 back as the repair left it: now the rollback goes through and restores every column.
      await db.other.query(`UPDATE tasks SET status = 'RETRY' WHERE id = 3`);
      await rollbackRun(report.journalId!, () => ({ repair: check.repair, connection: db.writer }), deps());
      assert.equal(await snapshot(db, 'tasks'), before);
    });

    it('stops on the first failing batch with what was done recorded; that can be rolled back', async () => {
      await fresh();
      const check = compileCheck(db, {
        sql: { statement: statements(db.dialect).failingAt7, table: 'task_outputs', keyColumn: 'task_id' },
      });
      const before = await snapshot(db, 'task_outputs');
      const report = await runRepair(target(check), { batchSize: 3 }, deps());
      // Batches: [1,3,5] [7,9,11] [13,15,17] [19]: batch 2 fails at task 7; batch 1 stays repaired.
      assert.equal(report.status, 'failed');
      assert.match(report.error ?? '', /batch 2 of 4 failed: .*key 7/);
      assert.equal(report.counts.repaired, 3);
      assert.equal(report.counts.failed, 1);
      assert.deepEqual(await outputsOf('repaired'), ['1', '3', '5']);
      const run = await journal.getRun(report.journalId!);
      assert.equal(run?.status, 'failed');
      assert.equal(run?.batchesDone, 1);
      const actions = await journal.actions(report.journalId!);
      assert.deepEqual(
        actions.map((a) => `${a.key}:${a.outcome}`),
        ['1:repaired', '3:repaired', '5:repaired', '7:failed'],
      );
      await rollbackRun(report.journalId!, () => ({ repair: check.repair, connection: db.writer }), deps());
      assert.equal(await snapshot(db, 'task_outputs'), before);
    });
  });
}

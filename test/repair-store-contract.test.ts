// The repair journal (store part `repairs`) on every store adapter: runs, batches of actions with counts,
// finishing, listing by check, and the rollback claim that lets one rollback through and refuses a second.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { NewRepairAction } from '../src/checks/repair/repair-journal.js';
import type { RepairStore } from '../src/checks/repair/store/repair-store.js';
import { repairStorePart } from '../src/checks/repair/store/repair-store-part.js';
import type { Store } from '../src/store/store.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';

const T0 = 1_700_000_000_000;
const newRun = (check = 'outputs') => ({
  check,
  kind: 'sql' as const,
  batchSize: 2,
  max: 100,
  keys: null,
  planned: 3,
  batches: 2,
  actor: 'test',
  startedAt: T0,
});
const action = (seq: number, key: string, outcome: NewRepairAction['outcome']): NewRepairAction => ({
  seq,
  batch: Math.ceil(seq / 2),
  key,
  outcome,
  change:
    outcome === 'repaired'
      ? {
          kind: 'sql',
          statement: 'INSERT ...',
          params: [key, { $date: '2026-12-01T00:00:00.000Z' }],
          table: 'task_outputs',
          keyColumn: 'task_id',
          before: [],
          after: [{ task_id: Number(key), created_at: { $date: '2026-12-01T00:00:00.000Z' } }],
        }
      : { kind: 'none' },
  error: null,
  at: T0 + seq,
});

for (const adapter of STORE_ADAPTERS) {
  describe(`repair journal on ${adapter.name}`, { skip: adapter.skip }, () => {
    let locator: string;
    let store: Store;
    let journal: RepairStore;
    beforeEach(async () => {
      locator = await adapter.createDatabase();
      store = await adapter.open(locator);
      journal = store.part(repairStorePart);
      await store.migrate();
    });
    afterEach(async () => {
      await store.close();
      await adapter.dropDatabase(locator);
    });

    it('records a run batch by batch and reads it back exactly', async () => {
      const run = await journal.createRun(newRun());
      assert.equal(run.status, 'running');
      await journal.recordBatch(run.id, [action(1, '1', 'repaired'), action(2, '3', 'fixed-meanwhile')], {
        planned: 3,
        repaired: 1,
        unchanged: 0,
        fixedMeanwhile: 1,
        failed: 0,
        batchesDone: 1,
      });
      await journal.recordBatch(run.id, [action(3, '5', 'repaired')], {
        planned: 3,
        repaired: 2,
        unchanged: 0,
        fixedMeanwhile: 1,
        failed: 0,
        batchesDone: 2,
      });
      const done = await journal.finishRun(run.id, 'done', null, T0 + 10);
      assert.deepEqual(
        {
          status: done.status,
          repaired: done.repaired,
          fixed: done.fixedMeanwhile,
          batches: done.batchesDone,
          at: done.finishedAt,
        },
        { status: 'done', repaired: 2, fixed: 1, batches: 2, at: T0 + 10 },
      );
      const all = await journal.actions(run.id);
      assert.deepEqual(
        all.map((a) => [a.seq, a.batch, a.key, a.outcome]),
        [
          [1, 1, '1', 'repaired'],
          [2, 1, '3', 'fixed-meanwhile'],
          [3, 2, '5', 'repaired'],
        ],
      );
      assert.deepEqual(all[0]?.change, action(1, '1', 'repaired').change);
      assert.deepEqual(
        (await journal.actions(run.id, { repairedOnly: true })).map((a) => a.key),
        ['1', '5'],
      );
    });

    it('lists runs newest first, by check', async () => {
      const a = await journal.createRun(newRun('outputs'));
      const b = await journal.createRun(newRun('payments'));
      const c = await journal.createRun(newRun('outputs'));
      assert.deepEqual(
        (await journal.listRuns({ limit: 10 })).map((r) => r.id),
        [c.id, b.id, a.id],
      );
      assert.deepEqual(
        (await journal.listRuns({ check: 'outputs', limit: 10 })).map((r) => r.id),
        [c.id, a.id],
      );
      assert.equal(await journal.getRun(999_999), undefined);
    });

    it('lets one rollback claim through, refuses a second, and releases a refused one', async () => {
      const run = await journal.createRun(newRun());
      assert.equal(
        (await journal.claimRollback(run.id, T0)).claimed,
        false,
        'a running run cannot be rolled back',
      );
      await journal.recordBatch(run.id, [action(1, '1', 'repaired')], {
        planned: 1,
        repaired: 1,
        unchanged: 0,
        fixedMeanwhile: 0,
        failed: 0,
        batchesDone: 1,
      });
      await journal.finishRun(run.id, 'done', null, T0 + 1);
      const claims = await Promise.all([
        journal.claimRollback(run.id, T0 + 2),
        journal.claimRollback(run.id, T0 + 2),
      ]);
      assert.deepEqual(claims.map((c) => c.claimed).sort(), [false, true]);
      const refused = await journal.finishRollback(run.id, 'refused', 'task 1 changed', T0 + 3);
      assert.equal(refused.rollbackStatus, null);
      assert.equal(refused.rollbackError, 'task 1 changed');
      assert.equal((await journal.claimRollback(run.id, T0 + 4)).claimed, true);
      const done = await journal.finishRollback(run.id, 'done', null, T0 + 5);
      assert.equal(done.rollbackStatus, 'done');
      assert.equal((await journal.actions(run.id))[0]?.rolledBackAt, T0 + 5);
      const again = await journal.claimRollback(run.id, T0 + 6);
      assert.equal(again.claimed, false);
      assert.equal(again.run?.rollbackStatus, 'done');
    });

    it('marks actions undone one by one, and keeps the first mark when the rollback finishes', async () => {
      const run = await journal.createRun(newRun());
      await journal.recordBatch(run.id, [action(1, '1', 'repaired'), action(2, '2', 'repaired')], {
        planned: 2,
        repaired: 2,
        unchanged: 0,
        fixedMeanwhile: 0,
        failed: 0,
        batchesDone: 1,
      });
      await journal.finishRun(run.id, 'done', null, T0 + 1);
      assert.equal((await journal.claimRollback(run.id, T0 + 2)).claimed, true);
      await journal.markActionUndone(run.id, 2, T0 + 3);
      assert.deepEqual(
        (await journal.actions(run.id)).map((a) => a.rolledBackAt),
        [null, T0 + 3],
      );
      await journal.finishRollback(run.id, 'done', null, T0 + 4);
      assert.deepEqual(
        (await journal.actions(run.id)).map((a) => a.rolledBackAt),
        [T0 + 4, T0 + 3],
      );
    });
  });
}

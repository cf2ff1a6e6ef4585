// The Store contract for large ranges and repairs: runs queued piece by piece,
// "not yet published" deferrals, the sources' newest partition, and purges.
// Every adapter in STORE_ADAPTERS passes the same tests against a real, fresh
// database per test.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RangeSet } from '../src/domain/range-set.js';
import { GapwardenError } from '../src/internal/errors.js';
import type { RecordRow, Store } from '../src/store/store.js';
import { STORE_ADAPTERS, type StoreAdapter } from './helpers/store-adapters.js';

const T0 = 1_700_000_000_000;

const row = (ordinal: number, key = `k${ordinal}`) =>
  ({ key, ordinal, payload: `{"p":${ordinal}}`, source: 's1' }) satisfies RecordRow;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const members = (set: RangeSet) => set.ranges().flatMap(([a, b]) => range(a, b));

async function rejectsWith(promise: Promise<unknown>, code: GapwardenError['code']): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GapwardenError, `expected a GapwardenError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return;
  }
  assert.fail(`expected a ${code} rejection`);
}

function partitionsContract(adapter: StoreAdapter) {
  let locator: string;
  let opened: Store[];
  let store: Store;

  const connect = async () => {
    const s = await adapter.open(locator);
    opened.push(s);
    await s.migrate();
    return s;
  };

  beforeEach(async () => {
    opened = [];
    locator = await adapter.createDatabase();
    store = await connect();
    await store.ensureDataset('draws');
    await store.ensureDataset('other');
  });

  afterEach(async () => {
    for (const s of opened) await s.close();
    await adapter.dropDatabase(locator);
  });

  describe('runs queued piece by piece', () => {
    it('opens a run that queues nothing and stays open until its whole range is queued and worked', async () => {
      const run = await store.openBackfillRun('draws', 'manual', 10, 1_000_000_000_000, T0);
      assert.deepEqual(
        [run.fromOrdinal, run.toOrdinal, run.requested, run.finishedAt],
        [10, 1_000_000_000_000, 0, null],
      );
      assert.deepEqual(await store.listFeedingBackfillRuns('draws'), [
        { id: run.id, dataset: 'draws', fromOrdinal: 10, toOrdinal: 1_000_000_000_000, queuedThrough: 9 },
      ]);
      assert.deepEqual(await store.listFeedingBackfillRuns('other'), []);

      const first = await store.feedBackfillRun(run.id, 9, [10, 11, 12], 12, T0 + 1);
      assert.deepEqual([first?.queued, first?.queuedThrough, first?.run.requested], [3, 12, 3]);
      assert.equal((await store.listFeedingBackfillRuns('draws'))[0]?.queuedThrough, 12);
      await store.claimBackfill(T0 + 2, 10, 60_000);
      const settled = await store.settleBackfill(
        [10, 11, 12].map((ordinal) => ({
          dataset: 'draws',
          ordinal,
          outcome: { kind: 'filled', source: 's' },
        })),
        T0 + 3,
      );
      assert.deepEqual(settled, [], 'the rest of the range is not queued yet');
      assert.equal((await store.getBackfillRun(run.id))?.finishedAt, null);

      // The last piece: nothing left in the range; the run finishes with nothing queued.
      const last = await store.feedBackfillRun(run.id, 12, [], 1_000_000_000_000, T0 + 4);
      assert.deepEqual([last?.queued, last?.run.filled, last?.run.finishedAt], [0, 3, T0 + 4]);
      assert.deepEqual(await store.listFeedingBackfillRuns('draws'), []);
    });

    it('finishes a fully queued run when its last item settles', async () => {
      const run = await store.openBackfillRun('draws', 'auto', 1, 3, T0);
      const fed = await store.feedBackfillRun(run.id, 0, [1, 2, 3], 3, T0);
      assert.deepEqual([fed?.queued, fed?.run.finishedAt], [3, null]);
      assert.deepEqual(await store.listFeedingBackfillRuns('draws'), []);
      await store.claimBackfill(T0, 10, 60_000);
      const finished = await store.settleBackfill(
        [1, 2, 3].map((ordinal) => ({ dataset: 'draws', ordinal, outcome: { kind: 'filled', source: 's' } })),
        T0 + 5,
      );
      assert.deepEqual(
        finished.map((r) => [r.id, r.requested, r.filled, r.finishedAt]),
        [[run.id, 3, 3, T0 + 5]],
      );
    });

    it('feeds only from the cursor it expects: a second feeder of the same piece changes nothing', async () => {
      const run = await store.openBackfillRun('draws', 'auto', 1, 100, T0);
      const other = await connect();
      const [a, b] = await Promise.all([
        store.feedBackfillRun(run.id, 0, [1, 2], 2, T0),
        other.feedBackfillRun(run.id, 0, [1, 2], 2, T0),
      ]);
      assert.equal([a, b].filter((f) => f === undefined).length, 1, 'exactly one feeder wins');
      assert.equal((await store.getBackfillRun(run.id))?.requested, 2);
      assert.equal(await store.feedBackfillRun(run.id, 0, [3], 3, T0), undefined);
      assert.deepEqual(
        (await store.listBackfillItems('draws')).map((i) => i.ordinal),
        [1, 2],
      );
    });

    it('leaves ordinals queued by another run there, and moves failed ones into the run being fed', async () => {
      const older = await store.createBackfillRun('draws', 'auto', [1, 2], T0);
      await store.claimBackfill(T0, 1, 60_000);
      await store.settleBackfill(
        [{ dataset: 'draws', ordinal: 1, outcome: { kind: 'failed', error: 'x' } }],
        T0,
      );
      const run = await store.openBackfillRun('draws', 'manual', 1, 3, T0 + 1);
      const fed = await store.feedBackfillRun(run.id, 0, [1, 2, 3], 3, T0 + 1);
      assert.equal(fed?.queued, 2, '1 (was failed) and 3; 2 stays in the older run');
      const byOrdinal = (await store.listBackfillItems('draws')).map((i) => [i.ordinal, i.runId, i.state]);
      assert.deepEqual(byOrdinal, [
        [1, run.id, 'pending'],
        [2, older.id, 'pending'],
        [3, run.id, 'pending'],
      ]);
    });

    it('keeps a run that is still being queued across a restart', async () => {
      const run = await store.openBackfillRun('draws', 'startup', 5, 50, T0);
      await store.feedBackfillRun(run.id, 4, [5, 6], 6, T0);
      await store.close();
      const again = await connect();
      assert.deepEqual(await again.listFeedingBackfillRuns('draws'), [
        { id: run.id, dataset: 'draws', fromOrdinal: 5, toOrdinal: 50, queuedThrough: 6 },
      ]);
    });

    it('rejects opening a run on an unknown dataset', async () => {
      await rejectsWith(store.openBackfillRun('nope', 'manual', 1, 2, T0), 'DATASET_UNKNOWN');
      await rejectsWith(store.listFeedingBackfillRuns('nope'), 'DATASET_UNKNOWN');
    });
  });

  describe('deferred items (not published upstream yet)', () => {
    it('go back to pending with attempts reset, uncounted on the run and not known missing', async () => {
      const run = await store.createBackfillRun('draws', 'auto', [7, 8], T0);
      await store.claimBackfill(T0, 10, 60_000);
      await store.claimBackfill(T0 + 60_000, 10, 60_000); // a second attempt after the lease ended
      const finished = await store.settleBackfill(
        [
          {
            dataset: 'draws',
            ordinal: 7,
            outcome: { kind: 'defer', reason: 'not published yet', nextAttemptAt: T0 + 300_000 },
          },
          { dataset: 'draws', ordinal: 8, outcome: { kind: 'filled', source: 's' } },
        ],
        T0 + 60_001,
      );
      assert.deepEqual(finished, [], 'the deferred item keeps the run open');
      const items = await store.listBackfillItems('draws');
      assert.deepEqual(
        items.map((i) => [i.ordinal, i.state, i.attempts, i.nextAttemptAt, i.lastError]),
        [[7, 'pending', 0, T0 + 300_000, 'not published yet']],
      );
      const now = await store.getBackfillRun(run.id);
      assert.deepEqual([now?.filled, now?.notFound, now?.failed], [1, 0, 0]);
      assert.equal((await store.loadKnownMissing('draws')).size, 0);
      assert.deepEqual(await store.claimBackfill(T0 + 299_999, 10, 60_000), []);
      const [again] = await store.claimBackfill(T0 + 300_000, 10, 60_000);
      assert.deepEqual([again?.ordinal, again?.attempts], [7, 1]);
    });
  });

  describe("the sources' newest partition", () => {
    it('is null at first, keeps the newest noted, per dataset, across a restart', async () => {
      assert.equal(await store.loadSourceNewest('draws'), null);
      await store.noteSourceNewest('draws', 40);
      await store.noteSourceNewest('draws', 12);
      await store.noteSourceNewest('other', 3);
      assert.equal(await store.loadSourceNewest('draws'), 40);
      await store.noteSourceNewest('draws', 9_000_000_000_000);
      await store.close();
      const again = await connect();
      assert.equal(await again.loadSourceNewest('draws'), 9_000_000_000_000);
      assert.equal(await again.loadSourceNewest('other'), 3);
      await rejectsWith(again.noteSourceNewest('nope', 1), 'DATASET_UNKNOWN');
      await rejectsWith(again.loadSourceNewest('nope'), 'DATASET_UNKNOWN');
    });
  });

  describe('purges', () => {
    const bad = 8_999_999_999;
    beforeEach(async () => {
      await store.ingest(
        'draws',
        [...range(0, 9), 13, bad].map((o) => row(o)),
        'ignore',
        T0,
      );
      await store.ingest('draws', [row(bad, 'second-at-bad')], 'ignore', T0);
      await store.ingest('other', [row(bad)], 'ignore', T0);
      await store.addKnownMissing('draws', [10, 11, 12], 'source confirmed not found', T0);
      await store.noteSourceNewest('draws', bad);
    });

    it('counts without changing anything in a dry run, and records nothing', async () => {
      const report = await store.purgePartitions(
        'draws',
        { from: 10, to: bad, records: true, knownMissing: true, by: 'cli', dryRun: true },
        T0 + 1,
      );
      assert.deepEqual(report, {
        id: null,
        dataset: 'draws',
        fromOrdinal: 10,
        toOrdinal: bad,
        records: 3,
        knownMissing: 3,
        queueItems: 0,
        by: 'cli',
        at: T0 + 1,
        dryRun: true,
      });
      assert.equal((await store.stats('draws')).records, 13);
      assert.equal((await store.loadKnownMissing('draws')).size, 3);
      assert.deepEqual(await store.listPurges('draws', 10), []);
    });

    it('deletes records of the range only, forgets the sources newest within it, and records the purge', async () => {
      const report = await store.purgePartitions(
        'draws',
        { from: 14, to: bad, records: true, knownMissing: false, by: 'api' },
        T0 + 2,
      );
      assert.deepEqual([report.records, report.knownMissing, report.dryRun], [2, 0, false]);
      assert.ok(typeof report.id === 'number');
      assert.deepEqual(members(await store.loadCoverage('draws')), [...range(0, 9), 13]);
      assert.deepEqual(members(await store.loadCoverage('other')), [bad], 'other datasets are untouched');
      assert.deepEqual(members(await store.loadKnownMissing('draws')), [10, 11, 12]);
      assert.equal(await store.loadSourceNewest('draws'), null);
      assert.deepEqual(await store.listPurges('draws', 10), [{ ...report }]);
      assert.deepEqual(await store.listPurges('other', 10), []);
    });

    it('clears known-missing marks of the range, removes its queue items and finishes runs left empty', async () => {
      const run = await store.createBackfillRun('draws', 'auto', [14, 15, 20], T0);
      await store.claimBackfill(T0, 1, 60_000); // 14 is running
      const report = await store.purgePartitions(
        'draws',
        { from: 11, to: 15, records: false, knownMissing: true, by: 'library' },
        T0 + 3,
      );
      assert.deepEqual([report.records, report.knownMissing, report.queueItems], [0, 2, 2]);
      assert.deepEqual(members(await store.loadKnownMissing('draws')), [10]);
      assert.equal((await store.stats('draws')).records, 13, 'records stay');
      assert.equal(await store.loadSourceNewest('draws'), bad, 'kept: no record was removed');
      assert.deepEqual(
        (await store.listBackfillItems('draws')).map((i) => i.ordinal),
        [20],
      );
      assert.equal((await store.getBackfillRun(run.id))?.finishedAt, null, '20 is still queued');
      await store.purgePartitions(
        'draws',
        { from: 20, to: 20, records: true, knownMissing: false, by: 'cli' },
        T0 + 4,
      );
      assert.equal((await store.getBackfillRun(run.id))?.finishedAt, T0 + 4);
      // A settlement of an item removed by a purge is ignored.
      assert.deepEqual(
        await store.settleBackfill(
          [{ dataset: 'draws', ordinal: 14, outcome: { kind: 'not_found' } }],
          T0 + 5,
        ),
        [],
      );
      assert.deepEqual(members(await store.loadKnownMissing('draws')), [10]);
      assert.deepEqual(
        (await store.listPurges('draws', 1)).map((p) => [p.fromOrdinal, p.toOrdinal, p.by]),
        [[20, 20, 'cli']],
      );
    });

    it('rejects a purge of an unknown dataset', async () => {
      await rejectsWith(
        store.purgePartitions('nope', { from: 1, to: 2, records: true, knownMissing: true, by: 'cli' }, T0),
        'DATASET_UNKNOWN',
      );
      await rejectsWith(store.listPurges('nope', 1), 'DATASET_UNKNOWN');
    });
  });
}

for (const adapter of STORE_ADAPTERS) {
  describe(`Store contract, large ranges and repairs: ${adapter.name}`, { skip: adapter.skip }, () =>
    partitionsContract(adapter),
  );
}

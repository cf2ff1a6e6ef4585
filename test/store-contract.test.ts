// The Store contract: every adapter in STORE_ADAPTERS passes these same tests
// against a real, fresh database per test.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RangeSet } from '../src/domain/range-set.js';
import type { SourceHealth } from '../src/domain/source-health.js';
import { GapwardenError } from '../src/internal/errors.js';
import type { BackfillItem, RecordRow, Store } from '../src/store/store.js';
import { STORE_ADAPTERS, type StoreAdapter } from './helpers/store-adapters.js';
import { startClaimProcess } from './helpers/store-claim-process.js';

const T0 = 1_700_000_000_000;

const row = (
  ordinal: number,
  key = `k${ordinal}`,
  payload = `{"p":${ordinal}}`,
  source: string | null = 's1',
) => ({ key, ordinal, payload, source }) satisfies RecordRow;
const rowsFor = (ordinals: Iterable<number>) => [...ordinals].map((o) => row(o));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const members = (set: RangeSet) => set.ranges().flatMap(([a, b]) => range(a, b));

async function rejectsWith(promise: Promise<unknown>, code: GapwardenError['code']): Promise<GapwardenError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GapwardenError, `expected a GapwardenError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected a ${code} rejection`);
}

function storeContract(adapter: StoreAdapter) {
  let locator: string;
  let opened: Store[];
  let store: Store;

  /** Another connection to this test's database (as another process would have), migrated. */
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
  });

  afterEach(async () => {
    for (const s of opened) await s.close();
    await adapter.dropDatabase(locator);
  });

  describe('lifecycle', () => {
    it('migrates twice, and again after a reopen, without losing data', async () => {
      await store.ingest('draws', rowsFor([1, 2]), 'ignore', T0);
      await store.migrate();
      await store.close();
      const again = await connect();
      await again.migrate();
      assert.equal((await again.stats('draws')).records, 2);
    });

    it('reports itself healthy while open and not after close', async () => {
      await store.ingest('draws', rowsFor([1]), 'ignore', T0);
      assert.deepEqual(await store.health(), { ok: true, reasons: [] });
      await store.close();
      const closed = await store.health();
      assert.equal(closed.ok, false);
      assert.deepEqual(closed.reasons, ['the store is closed']);
    });

    it('answers ping while open and not after close; close twice is fine', async () => {
      assert.equal(await store.ping(), true);
      await store.close();
      assert.equal(await store.ping(), false);
      await store.close();
      await rejectsWith(store.stats('draws'), 'STORE_FAILED');
    });
  });

  describe('datasets', () => {
    it('registers idempotently and lists names in order', async () => {
      await store.ensureDataset('b-set');
      await store.ensureDataset('a-set');
      await store.ensureDataset('b-set');
      assert.deepEqual(await store.listDatasets(), ['a-set', 'b-set', 'draws']);
    });

    it('sees a dataset registered by another connection', async () => {
      const other = await connect();
      await other.ensureDataset('late');
      assert.equal((await store.ingest('late', rowsFor([1]), 'ignore', T0)).inserted.length, 1);
    });

    it('rejects every per-dataset call on an unknown dataset with DATASET_UNKNOWN', async () => {
      const err = await rejectsWith(store.ingest('nope', rowsFor([1]), 'ignore', T0), 'DATASET_UNKNOWN');
      assert.match(err.message, /nope/);
      await rejectsWith(store.stats('nope'), 'DATASET_UNKNOWN');
      await rejectsWith(store.countRejected('nope', 1), 'DATASET_UNKNOWN');
      await rejectsWith(store.loadCoverage('nope'), 'DATASET_UNKNOWN');
      await rejectsWith(store.listRecords('nope', { limit: 1 }), 'DATASET_UNKNOWN');
      await rejectsWith(store.recordsBetween('nope', 0, 1), 'DATASET_UNKNOWN');
      await rejectsWith(store.addKnownMissing('nope', [1], 'x', T0), 'DATASET_UNKNOWN');
      await rejectsWith(store.loadKnownMissing('nope'), 'DATASET_UNKNOWN');
      await rejectsWith(store.createBackfillRun('nope', 'manual', [1], T0), 'DATASET_UNKNOWN');
      await rejectsWith(store.claimBackfill(T0, 1, 1000, 'nope'), 'DATASET_UNKNOWN');
      await rejectsWith(store.listBackfillItems('nope'), 'DATASET_UNKNOWN');
      await rejectsWith(store.countBackfillItems('nope'), 'DATASET_UNKNOWN');
      await rejectsWith(store.listBackfillRuns('nope', 10), 'DATASET_UNKNOWN');
      await rejectsWith(store.loadSourceHealth('nope'), 'DATASET_UNKNOWN');
      assert.deepEqual(await store.listDatasets(), ['draws']);
    });

    it('reports stats: record count, last insert, last source, rejected', async () => {
      assert.deepEqual(await store.stats('draws'), {
        records: 0,
        lastInsertAt: null,
        lastSource: null,
        rejected: 0,
      });
      await store.ingest('draws', [row(1, 'a', '{}', 'first'), row(2, 'b', '{}', 'second')], 'ignore', T0);
      await store.countRejected('draws', 3);
      await store.countRejected('draws', 2);
      assert.deepEqual(await store.stats('draws'), {
        records: 2,
        lastInsertAt: T0,
        lastSource: 'second',
        rejected: 5,
      });
      // Duplicates and updates are not inserts: the last insert stays.
      await store.ingest('draws', [row(1, 'a', '{}', 'third')], 'ignore', T0 + 1);
      await store.ingest('draws', [row(2, 'b', '{"new":1}', 'fourth')], 'update', T0 + 2);
      assert.deepEqual(await store.stats('draws'), {
        records: 2,
        lastInsertAt: T0,
        lastSource: 'second',
        rejected: 5,
      });
    });
  });

  describe('ingest', () => {
    it('is idempotent: the same batch twice inserts nothing the second time', async () => {
      const rows = rowsFor(range(1, 250)); // crosses multi-row statement sizes
      const first = await store.ingest('draws', rows, 'ignore', T0);
      assert.deepEqual([...first.inserted].sort(), rows.map((r) => r.key).sort());
      assert.deepEqual(first.updated, []);
      const second = await store.ingest('draws', rows, 'ignore', T0 + 1);
      assert.deepEqual(second, { inserted: [], updated: [], insertedOrdinals: [] });
      assert.equal((await store.stats('draws')).records, 250);
    });

    it('reports inserted ordinals parallel to inserted keys, only for new keys', async () => {
      await store.ingest('draws', [row(10, 'a'), row(20, 'b')], 'ignore', T0);
      const w = await store.ingest(
        'draws',
        [row(10, 'a'), row(30, 'c'), row(20, 'b'), row(30, 'd')],
        'ignore',
        T0,
      );
      const pairs = w.inserted.map((k, i) => [k, w.insertedOrdinals[i]]);
      assert.deepEqual(
        pairs.sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
        [
          ['c', 30],
          ['d', 30],
        ],
      );
      assert.equal(w.insertedOrdinals.length, w.inserted.length);
    });

    it('ignore mode keeps the stored payload', async () => {
      await store.ingest('draws', [row(1, 'a', 'old')], 'ignore', T0);
      const w = await store.ingest('draws', [row(1, 'a', 'new')], 'ignore', T0 + 5);
      assert.deepEqual(w, { inserted: [], updated: [], insertedOrdinals: [] });
      const [stored] = await store.recordsBetween('draws', 1, 1);
      assert.equal(stored?.payload, 'old');
    });

    it('update mode: changed payload is updated, identical is unchanged, new is inserted', async () => {
      await store.ingest('draws', [row(1, 'same', 'p1'), row(2, 'changed', 'p2', 'old-src')], 'ignore', T0);
      const w = await store.ingest(
        'draws',
        [row(1, 'same', 'p1'), row(2, 'changed', 'p2-v2', 'new-src'), row(3, 'fresh', 'p3')],
        'update',
        T0 + 10,
      );
      assert.deepEqual(w, { inserted: ['fresh'], updated: ['changed'], insertedOrdinals: [3] });
      const stored = await store.recordsBetween('draws', 1, 3);
      assert.deepEqual(
        stored.map((r) => [r.key, r.payload, r.source, r.ingestedAt, r.updatedAt]),
        [
          ['same', 'p1', 's1', T0, T0],
          ['changed', 'p2-v2', 'new-src', T0, T0 + 10],
          ['fresh', 'p3', 's1', T0 + 10, T0 + 10],
        ],
      );
      // Updating again with the same payload is a no-op; a second change is reported again.
      assert.deepEqual(await store.ingest('draws', [row(2, 'changed', 'p2-v2')], 'update', T0 + 20), {
        inserted: [],
        updated: [],
        insertedOrdinals: [],
      });
      assert.deepEqual(
        (await store.ingest('draws', [row(2, 'changed', 'p2-v3')], 'update', T0 + 30)).updated,
        ['changed'],
      );
    });

    it('keeps keys apart per dataset', async () => {
      await store.ensureDataset('other');
      await store.ingest('draws', [row(1, 'k')], 'ignore', T0);
      assert.deepEqual((await store.ingest('other', [row(7, 'k')], 'ignore', T0)).inserted, ['k']);
      assert.deepEqual(members(await store.loadCoverage('other')), [7]);
    });

    it('gives back keys, payloads and sources exactly as ingest produces them, whatever characters they hold', async () => {
      // Payloads are JSON text as ingest writes it (JSON.stringify escapes U+0000 and lone
      // surrogates); keys and sources are well-formed text without U+0000 (ingest rejects the rest).
      const payloads = [
        JSON.stringify({
          nul: '\u0000',
          lone: ['\ud800', '\udfff', 'a\udc00b'],
          emoji: '😀👍🏽',
          cjk: '中文',
        }),
        JSON.stringify('tab\tnewline\nreturn\rbackslash\\quote"'),
        JSON.stringify({
          control: '\u0001\u001f\u007f',
          bom: '\ufeff',
          nonchar: '\uffff',
          combining: 'e\u0301',
        }),
      ];
      for (const p of payloads)
        assert.doesNotMatch(p, /\u0000|[\ud800-\udfff]/u, 'the JSON text itself is well-formed');
      const rows = [
        row(1, 'emoji 😀 ß 中文', payloads[0], 'src 😀'),
        row(2, 'tab\tnewline\nreturn\rbackslash\\', payloads[1], 'src\\tab\t'),
        row(3, '\u0001\u007f\ufeff\uffff', payloads[2], '\u0001'),
        row(4, 'N', JSON.stringify('\\N'), '\\N'),
      ];
      const w = await store.ingest('draws', rows, 'ignore', T0);
      assert.deepEqual(
        w.inserted,
        rows.map((r) => r.key),
      );
      const back = await store.recordsBetween('draws', 1, 4);
      assert.deepEqual(
        back.map((r) => ({ key: r.key, ordinal: r.ordinal, payload: r.payload, source: r.source })),
        rows,
      );
      for (const [i, r] of back.entries())
        assert.deepEqual(
          JSON.parse(r.payload),
          JSON.parse(rows[i]!.payload),
          `payload ${i} parses back the same`,
        );
      // The same rows again are recognised as stored, not new.
      assert.deepEqual((await store.ingest('draws', rows, 'ignore', T0 + 1)).inserted, []);
    });

    it('accepts an empty batch', async () => {
      assert.deepEqual(await store.ingest('draws', [], 'ignore', T0), {
        inserted: [],
        updated: [],
        insertedOrdinals: [],
      });
    });

    it('is atomic: a batch with one unstorable row stores nothing', async () => {
      await store.ingest('draws', [row(1, 'existing')], 'ignore', T0);
      const before = await store.stats('draws');
      // Row 180 has a fractional ordinal, which no adapter may store; the rows
      // before it were already written by then and must be rolled back.
      const rows = rowsFor(range(100, 299));
      rows[180] = row(1.5, 'bad');
      const err = await rejectsWith(store.ingest('draws', rows, 'ignore', T0 + 1), 'STORE_FAILED');
      assert.ok(err.cause, 'the driver error is kept as cause');
      assert.deepEqual(await store.stats('draws'), before);
      assert.deepEqual(members(await store.loadCoverage('draws')), [1]);
      // The store is still usable and the same rows (fixed) go in whole.
      rows[180] = row(280);
      assert.equal((await store.ingest('draws', rows, 'ignore', T0 + 2)).inserted.length, 200);
    });
  });

  describe('reading records', () => {
    it('loadCoverage holds exactly the stored ordinals (holes, negatives, shared ordinals)', async () => {
      const ordinals = [-5, -4, 0, 1, 2, 3, 7, 9, 10, 11, 1000, 1001];
      const rows = ordinals.flatMap((o) => [row(o, `a${o}`), row(o, `b${o}`)]);
      await store.ingest('draws', rows, 'ignore', T0);
      await store.ensureDataset('other');
      await store.ingest('other', rowsFor([4, 5, 6]), 'ignore', T0);
      const coverage = await store.loadCoverage('draws');
      assert.deepEqual(members(coverage), ordinals);
      assert.deepEqual(coverage.ranges(), [
        [-5, -4],
        [0, 3],
        [7, 7],
        [9, 11],
        [1000, 1001],
      ]);
    });

    it('loadCoverage is exact over many ordinals, with several records per ordinal', async () => {
      // Enough rows to span several internal pages of any sensible loader.
      const expected: number[] = [];
      const rows: RecordRow[] = [];
      for (let o = 0; o < 150_000; o++) {
        if (o % 997 === 0 || (o > 70_000 && o < 70_100)) continue;
        expected.push(o);
        rows.push(row(o, `a${o}`, '{}'));
        if (o % 3 === 0) rows.push(row(o, `b${o}`, '{}'));
      }
      for (let i = 0; i < rows.length; i += 20_000)
        await store.ingest('draws', rows.slice(i, i + 20_000), 'ignore', T0);
      const coverage = await store.loadCoverage('draws');
      assert.equal(coverage.size, expected.length);
      assert.deepEqual(members(coverage), expected);
    });

    it('lists records newest first by ordinal, paging with beforeOrdinal', async () => {
      await store.ingest('draws', rowsFor([5, 1, 3, 2, 4]), 'ignore', T0);
      const page1 = await store.listRecords('draws', { limit: 2 });
      assert.deepEqual(
        page1.map((r) => r.ordinal),
        [5, 4],
      );
      const page2 = await store.listRecords('draws', { limit: 2, beforeOrdinal: page1.at(-1)!.ordinal });
      assert.deepEqual(
        page2.map((r) => r.ordinal),
        [3, 2],
      );
      const page3 = await store.listRecords('draws', { limit: 2, beforeOrdinal: 2 });
      assert.deepEqual(
        page3.map((r) => r.ordinal),
        [1],
      );
      assert.deepEqual(page1[0], {
        key: 'k5',
        ordinal: 5,
        payload: '{"p":5}',
        source: 's1',
        ingestedAt: T0,
        updatedAt: T0,
      });
    });

    it('reads records between two ordinals, inclusive and ascending', async () => {
      await store.ingest('draws', [...rowsFor([9, 1, 5, 3, 7]), row(5, 'k5b', '{}', null)], 'ignore', T0);
      const between = await store.recordsBetween('draws', 3, 7);
      assert.deepEqual(
        between.map((r) => [r.key, r.ordinal, r.source]),
        [
          ['k3', 3, 's1'],
          ['k5', 5, 's1'],
          ['k5b', 5, null],
          ['k7', 7, 's1'],
        ],
      );
      assert.deepEqual(await store.recordsBetween('draws', 10, 20), []);
    });
  });

  describe('known missing', () => {
    it('adds idempotently and loads as a set, per dataset', async () => {
      await store.ensureDataset('other');
      await store.addKnownMissing('draws', [4, 5, 9, 5], 'source says no', T0);
      await store.addKnownMissing('draws', [5, 6], 'again', T0 + 1);
      await store.addKnownMissing('other', [100], 'x', T0);
      assert.deepEqual(members(await store.loadKnownMissing('draws')), [4, 5, 6, 9]);
      assert.deepEqual(members(await store.loadKnownMissing('other')), [100]);
      await store.addKnownMissing('draws', [], 'nothing', T0);
    });
  });

  describe('backfill queue', () => {
    it('creates a run queueing each ordinal once', async () => {
      const run = await store.createBackfillRun('draws', 'manual', [7, 3, 5, 5, 3], T0);
      assert.deepEqual(run, {
        id: run.id,
        dataset: 'draws',
        trigger: 'manual',
        fromOrdinal: 3,
        toOrdinal: 7,
        requested: 3,
        filled: 0,
        failed: 0,
        notFound: 0,
        startedAt: T0,
        finishedAt: null,
      });
      const items = await store.listBackfillItems('draws');
      assert.deepEqual(
        items.map((i) => [i.ordinal, i.runId, i.state, i.attempts, i.nextAttemptAt, i.lastError]),
        [
          [3, run.id, 'pending', 0, T0, null],
          [5, run.id, 'pending', 0, T0, null],
          [7, run.id, 'pending', 0, T0, null],
        ],
      );
      assert.deepEqual(await store.getBackfillRun(run.id), run);
    });

    it('leaves ordinals already queued in their run and does not count them again', async () => {
      const first = await store.createBackfillRun('draws', 'auto', [1, 2, 3], T0);
      const second = await store.createBackfillRun('draws', 'manual', [2, 3, 4], T0 + 1);
      assert.equal(second.requested, 1);
      assert.notEqual(second.id, first.id);
      const byOrdinal = new Map((await store.listBackfillItems('draws')).map((i) => [i.ordinal, i.runId]));
      assert.deepEqual(
        [...byOrdinal],
        [
          [1, first.id],
          [2, first.id],
          [3, first.id],
          [4, second.id],
        ],
      );
      // Running items stay too.
      await store.claimBackfill(T0 + 2, 10, 60_000);
      const third = await store.createBackfillRun('draws', 'startup', [1, 4], T0 + 3);
      assert.equal(third.requested, 0);
      assert.equal(third.finishedAt, T0 + 3);
      assert.deepEqual(await store.countBackfillItems('draws'), { pending: 0, running: 4, failed: 0 });
    });

    it('creates a run with nothing to queue already finished', async () => {
      const run = await store.createBackfillRun('draws', 'manual', [], T0);
      assert.equal(run.requested, 0);
      assert.equal(run.finishedAt, T0);
      assert.deepEqual(await store.countBackfillItems('draws'), { pending: 0, running: 0, failed: 0 });
    });

    it('claims due items in ordinal order, up to the limit, with a lease', async () => {
      await store.createBackfillRun('draws', 'auto', [30, 10, 20, 40], T0);
      const claimed = await store.claimBackfill(T0 + 100, 3, 5_000);
      assert.deepEqual(
        claimed.map((i) => [i.dataset, i.ordinal, i.state, i.attempts]),
        [
          ['draws', 10, 'running', 1],
          ['draws', 20, 'running', 1],
          ['draws', 30, 'running', 1],
        ],
      );
      // Leased items are not claimed again while the lease holds.
      assert.deepEqual(
        (await store.claimBackfill(T0 + 200, 10, 5_000)).map((i) => i.ordinal),
        [40],
      );
      assert.deepEqual(await store.claimBackfill(T0 + 5_099, 10, 5_000), []);
      // Once the lease expires (a crashed worker), they can be claimed again.
      const reclaimed = await store.claimBackfill(T0 + 5_100, 10, 5_000);
      assert.deepEqual(
        reclaimed.map((i) => [i.ordinal, i.attempts]),
        [
          [10, 2],
          [20, 2],
          [30, 2],
        ],
      );
      assert.deepEqual(await store.claimBackfill(T0 + 5_100, 0, 5_000), []);
    });

    it("takes over the live leases of a holder named gone, and only that holder's", async () => {
      await store.ensureDataset('other');
      await store.createBackfillRun('draws', 'auto', [1, 2, 3], T0);
      await store.createBackfillRun('other', 'auto', [7], T0);
      await store.claimBackfill(T0, 2, 60_000, 'draws', { holder: 'dead' });
      await store.claimBackfill(T0, 1, 60_000, 'draws', { holder: 'alive' });
      await store.claimBackfill(T0, 1, 60_000, 'other', { holder: 'dead' });
      assert.deepEqual((await store.listBackfillHolders(T0 + 1)).sort(), ['alive', 'dead']);
      // Without the verdict, the leases hold until they end.
      assert.deepEqual(await store.claimBackfill(T0 + 1, 10, 60_000, 'draws', { holder: 'new' }), []);
      const taken = await store.claimBackfill(T0 + 2, 10, 60_000, 'draws', {
        holder: 'new',
        goneHolders: ['dead'],
      });
      assert.deepEqual(
        taken.map((i) => [i.ordinal, i.attempts]),
        [
          [1, 2],
          [2, 2],
        ],
      );
      // Taken over: held by the new holder now, so naming the dead one again takes nothing more.
      assert.deepEqual(
        await store.claimBackfill(T0 + 3, 10, 60_000, 'draws', { holder: 'x', goneHolders: ['dead'] }),
        [],
      );
      assert.deepEqual((await store.listBackfillHolders(T0 + 3)).sort(), ['alive', 'dead', 'new']);
      assert.deepEqual(await store.listBackfillHolders(T0 + 60_003), []);
      const all = await store.claimBackfill(T0 + 4, 10, 60_000, undefined, {
        holder: 'y',
        goneHolders: ['dead'],
      });
      assert.deepEqual(
        all.map((i) => [i.dataset, i.ordinal]),
        [['other', 7]],
      );
    });

    it('does not claim items queued for later', async () => {
      await store.createBackfillRun('draws', 'auto', [1], T0);
      assert.deepEqual(await store.claimBackfill(T0 - 1, 10, 1_000), []);
      assert.equal((await store.claimBackfill(T0, 10, 1_000)).length, 1);
    });

    it('claims across datasets in dataset then ordinal order, or for one dataset', async () => {
      await store.ensureDataset('other');
      await store.createBackfillRun('other', 'auto', [2, 1], T0);
      await store.createBackfillRun('draws', 'auto', [9, 8], T0);
      const one = await store.claimBackfill(T0, 10, 1_000, 'other');
      assert.deepEqual(
        one.map((i) => [i.dataset, i.ordinal]),
        [
          ['other', 1],
          ['other', 2],
        ],
      );
      await store.createBackfillRun('other', 'auto', [3], T0);
      const all = await store.claimBackfill(T0, 10, 1_000);
      // 'draws' was registered first.
      assert.deepEqual(
        all.map((i) => [i.dataset, i.ordinal]),
        [
          ['draws', 8],
          ['draws', 9],
          ['other', 3],
        ],
      );
    });

    it('settles each outcome, counts it on the run, and finishes the run once', async () => {
      const run = await store.createBackfillRun('draws', 'auto', [1, 2, 3, 4], T0);
      await store.claimBackfill(T0, 10, 60_000);
      const none = await store.settleBackfill(
        [
          { dataset: 'draws', ordinal: 1, outcome: { kind: 'filled', source: 'history' } },
          { dataset: 'draws', ordinal: 2, outcome: { kind: 'not_found' } },
          {
            dataset: 'draws',
            ordinal: 3,
            outcome: { kind: 'retry', error: 'HTTP 503', nextAttemptAt: T0 + 1_000 },
          },
          { dataset: 'draws', ordinal: 4, outcome: { kind: 'failed', error: 'gave up' } },
        ],
        T0 + 10,
      );
      assert.deepEqual(none, [], 'item 3 is still queued');
      assert.deepEqual(members(await store.loadKnownMissing('draws')), [2]);
      const items = await store.listBackfillItems('draws');
      assert.deepEqual(
        items.map((i) => [i.ordinal, i.state, i.attempts, i.nextAttemptAt, i.lastError]),
        [
          [3, 'pending', 1, T0 + 1_000, 'HTTP 503'],
          [4, 'failed', 1, T0, 'gave up'],
        ],
      );
      // The retry is due only at its nextAttemptAt; the failed item never is.
      assert.deepEqual(await store.claimBackfill(T0 + 999, 10, 60_000), []);
      const retried = await store.claimBackfill(T0 + 1_000, 10, 60_000);
      assert.deepEqual(
        retried.map((i) => [i.ordinal, i.attempts, i.lastError]),
        [[3, 2, 'HTTP 503']],
      );
      const finished = await store.settleBackfill(
        [{ dataset: 'draws', ordinal: 3, outcome: { kind: 'filled', source: 'history' } }],
        T0 + 2_000,
      );
      const done = { ...run, filled: 2, failed: 1, notFound: 1, finishedAt: T0 + 2_000 };
      assert.deepEqual(finished, [done]);
      assert.deepEqual(await store.getBackfillRun(run.id), done);
      assert.deepEqual(await store.countBackfillItems('draws'), { pending: 0, running: 0, failed: 1 });
      // Settling an item that is no longer queued changes nothing.
      assert.deepEqual(
        await store.settleBackfill(
          [{ dataset: 'draws', ordinal: 1, outcome: { kind: 'not_found' } }],
          T0 + 3_000,
        ),
        [],
      );
      assert.deepEqual(await store.getBackfillRun(run.id), done);
      assert.deepEqual(members(await store.loadKnownMissing('draws')), [2]);
    });

    it('re-queues failed items into a new run, fresh', async () => {
      const first = await store.createBackfillRun('draws', 'auto', [1, 2], T0);
      await store.claimBackfill(T0, 10, 60_000);
      await store.settleBackfill(
        [
          { dataset: 'draws', ordinal: 1, outcome: { kind: 'failed', error: 'boom' } },
          { dataset: 'draws', ordinal: 2, outcome: { kind: 'filled', source: 's' } },
        ],
        T0 + 1,
      );
      assert.equal((await store.getBackfillRun(first.id))?.finishedAt, T0 + 1);
      const second = await store.createBackfillRun('draws', 'manual', [1, 3], T0 + 5);
      assert.equal(second.requested, 2);
      assert.deepEqual(
        (await store.listBackfillItems('draws')).map((i) => [
          i.ordinal,
          i.runId,
          i.state,
          i.attempts,
          i.lastError,
        ]),
        [
          [1, second.id, 'pending', 0, null],
          [3, second.id, 'pending', 0, null],
        ],
      );
      assert.equal((await store.getBackfillRun(first.id))?.failed, 1, 'the old run keeps its history');
    });

    it('rejects a settlement for an unknown dataset and applies none of the batch', async () => {
      await store.createBackfillRun('draws', 'auto', [1], T0);
      await store.claimBackfill(T0, 10, 60_000);
      await rejectsWith(
        store.settleBackfill(
          [
            { dataset: 'draws', ordinal: 1, outcome: { kind: 'filled', source: 's' } },
            { dataset: 'nope', ordinal: 1, outcome: { kind: 'filled', source: 's' } },
          ],
          T0 + 1,
        ),
        'DATASET_UNKNOWN',
      );
      assert.deepEqual(await store.countBackfillItems('draws'), { pending: 0, running: 1, failed: 0 });
    });

    it('lists items by state with a limit, and counts them', async () => {
      await store.createBackfillRun('draws', 'auto', range(1, 6), T0);
      await store.claimBackfill(T0, 3, 60_000);
      await store.settleBackfill(
        [{ dataset: 'draws', ordinal: 2, outcome: { kind: 'failed', error: 'e' } }],
        T0,
      );
      assert.deepEqual(await store.countBackfillItems('draws'), { pending: 3, running: 2, failed: 1 });
      const list = async (options?: Parameters<Store['listBackfillItems']>[1]) =>
        (await store.listBackfillItems('draws', options)).map((i: BackfillItem) => i.ordinal);
      assert.deepEqual(await list(), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(await list({ states: ['running'] }), [1, 3]);
      assert.deepEqual(await list({ states: ['failed', 'pending'] }), [2, 4, 5, 6]);
      assert.deepEqual(await list({ limit: 2 }), [1, 2]);
      assert.deepEqual(await list({ states: [] }), []);
    });

    it('lists runs newest first, per dataset or all, with a limit', async () => {
      await store.ensureDataset('other');
      const a = await store.createBackfillRun('draws', 'auto', [1], T0);
      const b = await store.createBackfillRun('other', 'manual', [1], T0 + 1);
      const c = await store.createBackfillRun('draws', 'startup', [2], T0 + 2);
      assert.deepEqual(
        (await store.listBackfillRuns(undefined, 10)).map((r) => r.id),
        [c.id, b.id, a.id],
      );
      assert.deepEqual(
        (await store.listBackfillRuns('draws', 10)).map((r) => r.id),
        [c.id, a.id],
      );
      assert.deepEqual(
        (await store.listBackfillRuns(undefined, 1)).map((r) => r.id),
        [c.id],
      );
      assert.equal(await store.getBackfillRun(c.id + 1000), undefined);
    });

    it('queues a large gap in one call', async () => {
      const run = await store.createBackfillRun('draws', 'auto', range(1, 25_000), T0);
      assert.equal(run.requested, 25_000);
      assert.deepEqual(await store.countBackfillItems('draws'), { pending: 25_000, running: 0, failed: 0 });
    });
  });

  describe('several connections', () => {
    it('never lets two connections claim the same item', async () => {
      await store.createBackfillRun('draws', 'auto', range(1, 300), T0);
      const other = await connect();
      const claimLoop = async (s: Store) => {
        const got: number[] = [];
        for (;;) {
          const items = await s.claimBackfill(T0, 7, 60_000);
          if (items.length === 0) return got;
          got.push(...items.map((i) => i.ordinal));
        }
      };
      const [a, b] = await Promise.all([claimLoop(store), claimLoop(other)]);
      assert.deepEqual(
        [...a, ...b].sort((x, y) => x - y),
        range(1, 300),
      );
    });

    it('never lets two processes claim the same item (and both may migrate at once)', async () => {
      const workers = [startClaimProcess(adapter.name, locator), startClaimProcess(adapter.name, locator)];
      try {
        await Promise.all(workers.map((w) => w.ready));
        await store.ensureDataset('other');
        await store.createBackfillRun('draws', 'auto', range(1, 1_500), T0);
        await store.createBackfillRun('other', 'auto', range(1, 500), T0);
        const startAt = Date.now() + 250;
        const results = await Promise.all(
          workers.map((w) => w.claimAll({ nowMs: T0, limit: 5, leaseMs: 60_000, startAt })),
        );
        const all = results.flat().map(([d, o]) => `${d}:${o}`);
        assert.equal(new Set(all).size, all.length, 'an item was claimed twice');
        assert.equal(all.length, 2_000);
        assert.ok(
          results.every((r) => r.length > 0),
          'both processes should have claimed something',
        );
        assert.deepEqual(await store.countBackfillItems('draws'), { pending: 0, running: 1_500, failed: 0 });
      } finally {
        for (const w of workers) w.kill();
      }
    });

    it('lets several processes migrate a brand-new database at the same time', async () => {
      const fresh = await adapter.createDatabase();
      const workers = [1, 2, 3].map(() => startClaimProcess(adapter.name, fresh));
      try {
        await Promise.all(workers.map((w) => w.ready));
        const s = await adapter.open(fresh);
        try {
          await s.migrate();
          await s.ensureDataset('d');
          assert.equal((await s.ingest('d', rowsFor([1]), 'ignore', T0)).inserted.length, 1);
        } finally {
          await s.close();
        }
      } finally {
        for (const w of workers) w.kill();
        await adapter.dropDatabase(fresh);
      }
    });

    it('keeps records, queue, runs, known missing and source health across a restart', async () => {
      await store.ingest('draws', rowsFor([1, 2, 4]), 'ignore', T0);
      await store.countRejected('draws', 2);
      await store.addKnownMissing('draws', [3], 'gone', T0);
      const run = await store.createBackfillRun('draws', 'auto', [5, 6], T0);
      await store.claimBackfill(T0, 1, 60_000);
      const health: SourceHealth = {
        source: 'api',
        state: 'open',
        consecutiveFailures: 4,
        lastSuccessAt: T0 - 10,
        lastFailureAt: T0,
        lastError: 'HTTP 500',
        retryAt: T0 + 30_000,
      };
      await store.saveSourceHealth('draws', health);
      await store.close();

      const restarted = await connect();
      assert.deepEqual(await restarted.listDatasets(), ['draws']);
      assert.deepEqual(await restarted.stats('draws'), {
        records: 3,
        lastInsertAt: T0,
        lastSource: 's1',
        rejected: 2,
      });
      assert.deepEqual(members(await restarted.loadCoverage('draws')), [1, 2, 4]);
      assert.deepEqual(members(await restarted.loadKnownMissing('draws')), [3]);
      assert.deepEqual(await restarted.getBackfillRun(run.id), run);
      assert.deepEqual(
        (await restarted.listBackfillItems('draws')).map((i) => [i.ordinal, i.state]),
        [
          [5, 'running'],
          [6, 'pending'],
        ],
      );
      assert.deepEqual(await restarted.loadSourceHealth('draws'), [health]);
      // The restarted process picks the crashed claim up once its lease expires.
      assert.deepEqual(
        (await restarted.claimBackfill(T0 + 60_000, 10, 60_000)).map((i) => i.ordinal),
        [5, 6],
      );
    });
  });

  describe('source health', () => {
    it('round-trips, overwrites per source, and keeps datasets apart', async () => {
      await store.ensureDataset('other');
      const closed: SourceHealth = {
        source: 'b-mirror',
        state: 'closed',
        consecutiveFailures: 0,
        lastSuccessAt: T0,
        lastFailureAt: null,
        lastError: null,
        retryAt: null,
      };
      const open: SourceHealth = { ...closed, source: 'a-primary', state: 'open', consecutiveFailures: 2 };
      assert.deepEqual(await store.loadSourceHealth('draws'), []);
      await store.saveSourceHealth('draws', closed);
      await store.saveSourceHealth('draws', open);
      const halfOpen: SourceHealth = { ...open, state: 'half-open', lastError: 'timeout', retryAt: T0 + 1 };
      await store.saveSourceHealth('draws', halfOpen);
      assert.deepEqual(await store.loadSourceHealth('draws'), [halfOpen, closed]);
      assert.deepEqual(await store.loadSourceHealth('other'), []);
    });
  });
}

for (const adapter of STORE_ADAPTERS) {
  describe(`Store contract: ${adapter.name}`, { skip: adapter.skip }, () => storeContract(adapter));
}

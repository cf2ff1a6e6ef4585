// Backfill by range: a source with `byRange` is asked for contiguous runs of
// missing partitions (at most `backfill.rangeSize` per request, following its
// pagination), and by key only for partitions a range left out. Engine over a
// real store (SQLite and PostgreSQL) and a real HTTP upstream.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';
import { waitFor } from './helpers/temp-dir.js';
import {
  payloadOf,
  startTestUpstream,
  type TestUpstream,
  upstreamRangeSource,
} from './helpers/test-upstream.js';

const rec = (p: number) => ({ key: String(p), partition: p, payload: payloadOf(p) });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const fast = { retryInitial: '20ms', retryMax: '200ms', ratePerSecond: 1000 };

for (const adapter of STORE_ADAPTERS) {
  describe(`backfill by range (${adapter.name})`, { skip: adapter.skip }, () => {
    let up: TestUpstream;
    let engines: Engine[] = [];
    let locators: string[] = [];

    before(async () => {
      up = await startTestUpstream(range(1, 1002));
    });
    after(() => up.close());
    afterEach(async () => {
      for (const e of engines) await e.stop().catch(() => {});
      for (const l of locators) await adapter.dropDatabase(l);
      engines = [];
      locators = [];
      for (const p of range(1, 1002)) up.periods.set(p, payloadOf(p));
      for (const p of [...up.periods.keys()]) if (p > 1002) up.periods.delete(p);
      up.absent.clear();
      up.rangeOmits.clear();
      up.failNextRange = 0;
      up.latest = undefined;
      up.calls.history.length = 0;
      up.calls.range.length = 0;
    });

    async function engineFor(dataset: Record<string, unknown>) {
      const locator = await adapter.createDatabase();
      locators.push(locator);
      const config = compileConfig(
        { store: { sqlite: 'unused.db' }, datasets: { draws: dataset } },
        { env: {} },
      );
      const engine = createEngine({
        config,
        store: await adapter.open(locator),
        logger: silentLogger,
        pollMs: 50,
      });
      engines.push(engine);
      await engine.start({ collect: false, backfill: true });
      return engine;
    }

    /** Stores 1 and 1002 (a 1,000-partition gap opens) and waits for the run over it to finish. */
    async function fillGap(engine: Engine) {
      await engine.ingest('draws', [rec(1), rec(1002)]);
      await waitFor(
        async () => (await engine.store.listBackfillRuns('draws', 1))[0]?.finishedAt != null,
        'the run over the gap to finish',
        20_000,
      );
      return (await engine.store.listBackfillRuns('draws', 1))[0]!;
    }

    const rangesAsked = () =>
      up.calls.range.map((c) => [c.from, c.to] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);

    it('fills a 1,000-partition gap with one request per 100 partitions, none by key', async () => {
      const engine = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamRangeSource('primary', up.url)],
        backfill: fast,
      });
      const run = await fillGap(engine);
      assert.deepEqual([run.requested, run.filled, run.notFound, run.failed], [1000, 1000, 0, 0]);
      assert.deepEqual(await engine.gaps('draws'), []);
      assert.equal((await engine.store.stats('draws')).records, 1002);
      assert.deepEqual(
        rangesAsked(),
        range(0, 9).map((i) => [2 + i * 100, 101 + i * 100]),
      );
      assert.deepEqual(up.calls.history, []);
    });

    it('asks by key only for partitions a range left out; one the source does not have becomes known missing', async () => {
      up.rangeOmits.add(50).add(60);
      up.absent.add(60);
      const engine = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamRangeSource('primary', up.url)],
        backfill: fast,
      });
      const run = await fillGap(engine);
      assert.deepEqual([run.filled, run.notFound, run.failed], [999, 1, 0]);
      assert.deepEqual([...up.calls.history].sort(), [50, 60]);
      assert.equal(up.calls.range.length, 10);
      // Ordinals count from `start`: partition p is ordinal p - 1.
      assert.deepEqual((await engine.store.loadKnownMissing('draws')).ranges(), [[59, 59]]);
      assert.equal((await engine.store.recordsBetween('draws', 49, 49)).length, 1);
      assert.deepEqual(await engine.gaps('draws'), []);
    });

    it('asks again for a range whose request failed, after a backoff, without asking by key', async () => {
      up.failNextRange = 1;
      const engine = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamRangeSource('primary', up.url)],
        backfill: fast,
      });
      const run = await fillGap(engine);
      assert.deepEqual([run.filled, run.failed], [1000, 0]);
      const failedAt = up.calls.range.findIndex((c) => c.status === 500);
      const failed = up.calls.range[failedAt]!;
      // Every partition of the failed range is asked again by range after it (the retry may come
      // back as one range or, when its partitions fall due a few ms apart, as two).
      const retried = up.calls.range.slice(failedAt + 1).filter((c) => c.status === 200);
      for (let p = failed.from; p <= failed.to; p++) {
        assert.ok(
          retried.some((c) => c.from <= p && p <= c.to),
          `partition ${p} of the failed range ${failed.from}..${failed.to} asked again by range`,
        );
      }
      assert.ok(up.calls.range.length >= 11 && up.calls.range.length <= 12, String(up.calls.range.length));
      assert.deepEqual(up.calls.history, []);
    });

    it('defers the partitions a range left out beyond the source newest, without asking by key', async () => {
      for (const p of range(901, 1002)) up.periods.delete(p);
      const engine = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamRangeSource('primary', up.url)],
        // A deferred partition is asked again after retryMax (by key when it comes due alone): not
        // within this test, which checks what the range's answer itself leads to.
        backfill: { ...fast, retryMax: '1h' },
      });
      await engine.ingest('draws', [rec(1), rec(1002)]);
      await waitFor(
        async () => {
          const counts = await engine.store.countBackfillItems('draws');
          return counts.running === 0 && counts.pending === 101;
        },
        'partitions 901..1001 to be deferred',
        20_000,
      );
      assert.equal((await engine.store.stats('draws')).records, 901);
      assert.deepEqual(up.calls.history, [], 'nothing asked by key');
      assert.equal((await engine.store.loadKnownMissing('draws')).size, 0);
      const items = await engine.store.listBackfillItems('draws');
      assert.deepEqual(
        items.map((i) => i.ordinal + 1),
        range(901, 1001),
      );
      assert.match(items[0]?.lastError ?? '', /not published upstream yet/);
    });

    it('with a source that has only byRange: a partition left out below the newest delivered is known missing, one beyond it deferred', async () => {
      const upstream = new Map(range(1, 900).map((p) => [p, rec(p)]));
      upstream.delete(60);
      const asked: [string | undefined, string | undefined][] = [];
      const engine = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [
          {
            name: 'archive',
            type: 'function',
            byRange: (from: Record<string, string>, to: Record<string, string>) => {
              asked.push([from.partition, to.partition]);
              return range(Number(from.partition), Number(to.partition)).flatMap(
                (p) => upstream.get(p) ?? [],
              );
            },
          },
        ],
        backfill: { ...fast, retryMax: '1m' },
      });
      await engine.ingest('draws', [rec(1), rec(1002)]);
      await waitFor(
        async () => {
          const counts = await engine.store.countBackfillItems('draws');
          return counts.running === 0 && counts.pending === 101;
        },
        'partitions 901..1001 to be deferred',
        20_000,
      );
      assert.equal(asked.length, 10);
      assert.equal((await engine.store.stats('draws')).records, 900);
      assert.deepEqual((await engine.store.loadKnownMissing('draws')).ranges(), [[59, 59]]);
      const items = await engine.store.listBackfillItems('draws');
      assert.deepEqual(
        items.map((i) => i.ordinal + 1),
        range(901, 1001),
      );
    });

    it('works through a gap larger than maxQueued by range, topping the queue up as it drains', async () => {
      const engine = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamRangeSource('primary', up.url)],
        backfill: { ...fast, maxQueued: 250 },
      });
      const run = await fillGap(engine);
      assert.deepEqual([run.requested, run.filled, run.failed], [1000, 1000, 0]);
      assert.deepEqual(await engine.gaps('draws'), []);
      assert.deepEqual(up.calls.history, []);
      // Pieces of the queue make some ranges shorter than 100, never one request per partition.
      assert.ok(up.calls.range.length < 50, `${up.calls.range.length} range requests`);
    });

    it('fetches partition by partition with rangeSize 1', async () => {
      const engine = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamRangeSource('primary', up.url)],
        backfill: { ...fast, rangeSize: 1 },
      });
      await engine.ingest('draws', [rec(1), rec(12)]);
      await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to be filled', 10_000);
      assert.deepEqual(
        [...up.calls.history].sort((a, b) => a - b),
        range(2, 11),
      );
      assert.equal(up.calls.range.length, 0);
    });
  });
}

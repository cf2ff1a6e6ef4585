// The backfill's rate limit as the upstream sees it: a real HTTP upstream on
// 127.0.0.1 counts the requests and their arrival times. These are measured
// assertions over a few seconds of wall time, with a generous window (10%).
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
  upstreamSource,
} from './helpers/test-upstream.js';

const rec = (p: number) => ({ key: String(p), partition: p, payload: payloadOf(p) });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Requests per second between the first and the last of `times` (ms). */
function rateOf(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return ((sorted.length - 1) * 1000) / (sorted[sorted.length - 1]! - sorted[0]!);
}

/**
 * Splits request times at the moment the bucket's burst is spent. A full bucket of `burst` at
 * the first request, refilled at `rate`, allows `burst + rate·t` requests by time t: the burst
 * is spent at the first request that reaches that allowance (on a slow machine the first
 * `burst` requests take long enough to earn more tokens, so it is not simply request `burst`).
 * Also returns the first request beyond the allowance, which a correct bucket never sends.
 */
function splitAtSpentBurst(times: readonly number[], rate: number, burst: number) {
  const sorted = [...times].sort((a, b) => a - b);
  const t0 = sorted[0]!;
  const allowance = (i: number) => burst + (rate * (sorted[i]! - t0)) / 1000;
  const spent = sorted.findIndex((_, i) => i + 1 >= allowance(i) - 1);
  const beyond = sorted.findIndex((_, i) => i + 1 > allowance(i) + 1);
  return { sustained: spent < 0 ? [] : sorted.slice(spent), beyond };
}

for (const adapter of STORE_ADAPTERS) {
  describe(`backfill rate limit (${adapter.name})`, { skip: adapter.skip }, () => {
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
      up.rangePageSize = 100;
      up.throttleNext = 0;
      up.calls.history.length = 0;
      up.calls.historyLog.length = 0;
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

    it('sends requests by key at ratePerSecond (within 10%) once the burst is spent', async () => {
      // 5 requests/s: each request (an upstream call and its store writes, synced to disk) has
      // 200 ms of the limit's time, so on a loaded machine the bucket, not the store, sets the pace.
      const engine = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamSource('primary', up.url)],
        backfill: { ratePerSecond: 5, concurrency: 8 },
      });
      await engine.ingest('draws', [rec(1), rec(42)]);
      await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to be filled', 30_000);
      const times = up.calls.historyLog.map((c) => c.at);
      assert.equal(times.length, 40);
      // The bucket starts full (burst = ratePerSecond = 5): those go at once, then 5/s.
      const { sustained, beyond } = splitAtSpentBurst(times, 5, 5);
      const series = () =>
        times
          .map((t) => t - Math.min(...times))
          .sort((a, b) => a - b)
          .join(',');
      assert.equal(beyond, -1, `no request beyond what the bucket allows: ${series()}`);
      assert.ok(
        sustained.length >= 20,
        `the burst was spent by request ${40 - sustained.length}: ${series()}`,
      );
      const rate = rateOf(sustained);
      assert.ok(Math.abs(rate - 5) <= 0.5, `achieved ${rate.toFixed(2)} requests/s, limit 5: ${series()}`);
    });

    it('takes a token for every page of a range', async () => {
      up.rangePageSize = 10;
      const engine = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamRangeSource('primary', up.url)],
        // A range's pages go one after another: all three ranges at once keep the bucket the limit.
        backfill: { ratePerSecond: 5, concurrency: 3 },
      });
      await engine.ingest('draws', [rec(1), rec(302)]);
      await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to be filled', 30_000);
      // 3 ranges of 100 partitions, 10 pages each.
      assert.equal(up.calls.range.length, 30);
      assert.deepEqual(up.calls.history, []);
      const { sustained, beyond } = splitAtSpentBurst(
        up.calls.range.map((c) => c.at),
        5,
        5,
      );
      assert.equal(beyond, -1, 'no page requested beyond what the bucket allows');
      assert.ok(sustained.length >= 15, `the burst was spent by page ${30 - sustained.length}`);
      const rate = rateOf(sustained);
      assert.ok(Math.abs(rate - 5) <= 0.5, `achieved ${rate.toFixed(2)} requests/s, limit 5`);
    });

    it("holds back every request to the source for a 429's Retry-After, then fills the partition", async () => {
      const engine = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamSource('primary', up.url)],
        // One request every 100 ms, so none is in flight when the 429 comes back.
        backfill: { ratePerSecond: 10, burst: 1, concurrency: 4, retryInitial: '20ms' },
      });
      await engine.ingest('draws', [rec(1), rec(32)]);
      await waitFor(() => up.calls.historyLog.length >= 3, 'the backfill to be under way');
      up.throttleRetryAfter = '1';
      up.throttleNext = 1;
      await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to be filled', 20_000);
      const log = up.calls.historyLog;
      const limited = log.findIndex((c) => c.status === 429);
      assert.ok(limited >= 3, 'a request was answered 429');
      const next = log[limited + 1]!;
      const waited = next.at - log[limited]!.at;
      assert.ok(waited >= 990, `the next request came ${waited} ms after the 429`);
      assert.equal(log.filter((c) => c.issue === log[limited]!.issue && c.status === 200).length, 1);
      assert.equal((await engine.store.stats('draws')).records, 32);
    });
  });
}

// A partition far ahead of what a dataset can have (a buggy upstream, a bad
// push) must neither poison coverage nor exhaust memory, partitions a source
// has not published yet must not become known missing, and huge gaps are
// planned and queued in bounded pieces. Engine and HTTP API over a real store
// (SQLite and PostgreSQL) and a real HTTP upstream.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';
import { waitFor } from './helpers/temp-dir.js';
import { payloadOf, startTestUpstream, type TestUpstream, upstreamSource } from './helpers/test-upstream.js';

const TOKEN = 'test-token-0123456789abcdef';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const rec = (p: number) => ({ key: String(p), partition: p, payload: payloadOf(p) });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const fast = { retryInitial: '20ms', retryMax: '200ms', ratePerSecond: 1000 };

for (const adapter of STORE_ADAPTERS) {
  describe(`far partitions and huge gaps (${adapter.name})`, { skip: adapter.skip }, () => {
    let up: TestUpstream;
    let engines: Engine[] = [];
    let locators: string[] = [];

    before(async () => {
      up = await startTestUpstream(range(1, 10));
    });
    after(() => up.close());
    afterEach(async () => {
      for (const e of engines) await e.stop().catch(() => {});
      for (const l of locators) await adapter.dropDatabase(l);
      engines = [];
      locators = [];
      for (const p of [...up.periods.keys()]) if (p > 10) up.periods.delete(p);
      up.latest = undefined;
      up.calls.history.length = 0;
    });

    async function engineFor(
      dataset: Record<string, unknown>,
      options: { locator?: string; clock?: ReturnType<typeof createManualClock> } = {},
    ) {
      const locator = options.locator ?? (await adapter.createDatabase());
      if (!locators.includes(locator)) locators.push(locator);
      const config = compileConfig(
        { store: { sqlite: 'unused.db' }, server: { token: TOKEN }, datasets: { draws: dataset } },
        { env: {} },
      );
      const engine = createEngine({
        config,
        store: await adapter.open(locator),
        logger: silentLogger,
        pollMs: 50,
        ...(options.clock ? { clock: options.clock } : {}),
      });
      engines.push(engine);
      const app: Hono = createApp({ engine, server: config.server, version: '0.0.0-test' });
      return { engine, app, locator };
    }

    it('rejects a pushed record far ahead of the newest partition, naming the horizon; the dataset stays healthy', async () => {
      const { engine, app } = await engineFor({ partition: { sequence: { start: 1 } } });
      await engine.start({ collect: false, backfill: true });
      await engine.ingest('draws', range(1, 20).map(rec));
      const res = await app.request('/api/datasets/draws/records', {
        method: 'POST',
        headers,
        body: JSON.stringify([rec(21), { key: 'bad', partition: 9_000_000_000, payload: {} }]),
      });
      assert.equal(res.status, 200);
      const answer = (await res.json()) as {
        inserted: number;
        rejected: number;
        rejections: { index: number; key: string; reason: string }[];
      };
      assert.equal(answer.inserted, 1);
      assert.equal(answer.rejected, 1);
      assert.equal(answer.rejections[0]?.index, 1);
      assert.equal(answer.rejections[0]?.key, 'bad');
      assert.match(answer.rejections[0]!.reason, /9000000000 is 8999999979 partitions ahead of the newest/);
      assert.match(answer.rejections[0]!.reason, /horizon of 50000/);
      assert.match(answer.rejections[0]!.reason, /datasets\.draws\.partition\.sequence\.horizon/);
      const [status] = (await engine.status()).datasets;
      assert.equal(status?.status, 'healthy', status?.reasons.join('; '));
      assert.deepEqual([status?.last, status?.openGaps, status?.rejected], [21, 0, 1]);
      assert.deepEqual(await engine.gaps('draws'), []);
      assert.deepEqual(await engine.store.recordsBetween('draws', 21, Number.MAX_SAFE_INTEGER), []);
    });

    it('accepts a batch that walks forward within the horizon whatever its order; rejects the part beyond it', async () => {
      const { engine } = await engineFor({ partition: { sequence: { start: 1, horizon: 100 } } });
      await engine.open();
      // 1..400 arrive shuffled (400 is 399 ahead of the start): each is within 100 of the one before.
      const shuffled = range(1, 400).sort((a, b) => ((a * 7919) % 401) - ((b * 7919) % 401));
      const first = await engine.ingest('draws', shuffled.map(rec));
      assert.deepEqual([first.inserted, first.rejected.length], [400, 0]);
      const second = await engine.ingest('draws', [rec(450), rec(501), rec(650)]);
      assert.deepEqual([second.inserted, second.rejected.length], [2, 1]);
      assert.match(
        second.rejected[0]!.reason,
        /partition 650 is 149 partitions ahead of the newest partition 501/,
      );
    });

    it('measures the horizon from the newest partition in the store, which another process may have stored', async () => {
      const dataset = { partition: { sequence: { start: 1, horizon: 100 } } };
      const a = await engineFor(dataset);
      const b = await engineFor(dataset, { locator: a.locator });
      await a.engine.open();
      await b.engine.open(); // b's coverage is loaded now, before a stores anything
      await a.engine.ingest('draws', range(1, 300).map(rec));
      const result = await b.engine.ingest('draws', [rec(350), rec(451)]);
      assert.deepEqual([result.inserted, result.rejected.length], [1, 1]);
      assert.match(
        result.rejected[0]!.reason,
        /partition 451 is 101 partitions ahead of the newest partition 350/,
      );
    });

    it('rejects a calendar partition starting beyond the horizon ahead of now', async () => {
      const clock = createManualClock(Date.parse('2026-11-20T12:00:00Z'));
      const { engine } = await engineFor(
        { partition: { calendar: { every: '1d', timezone: 'UTC', start: '2026-11-01' } } },
        { clock },
      );
      await engine.open();
      const result = await engine.ingest(
        'draws',
        ['2026-11-19', '2026-11-21', '2026-11-22', '2026-11-23', '2300-01-01'].map((d) => ({
          key: d,
          partition: d,
          payload: {},
        })),
      );
      assert.equal(result.inserted, 3);
      assert.deepEqual(
        result.rejected.map((r) => r.key),
        ['2026-11-23', '2300-01-01'],
      );
      assert.match(result.rejected[0]!.reason, /horizon of 2d/);
      assert.match(result.rejected[0]!.reason, /datasets\.draws\.partition\.calendar\.horizon/);
      assert.equal((await engine.status()).datasets[0]?.last, '2026-11-22');
    });

    it('retries "not found" for partitions ahead of the newest the source reported, and fills them once published', async () => {
      up.latest = 10;
      const { engine, locator } = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamSource('primary', up.url)],
        backfill: fast,
      });
      await engine.start({ collect: false, backfill: true });
      await engine.collect('draws'); // the source's newest is 10
      await engine.ingest('draws', range(1, 9).map(rec));
      await engine.ingest('draws', [rec(14)]); // pushed ahead of the source: 11..13 are not published yet
      await waitFor(
        () => [11, 12, 13].every((p) => up.calls.history.filter((h) => h === p).length >= 2),
        'the source to be asked twice for each of 11..13',
      );
      assert.equal((await engine.store.loadKnownMissing('draws')).size, 0);
      assert.deepEqual(
        (await engine.gaps('draws')).map((g) => [g.from, g.to]),
        [[11, 13]],
      );
      const [status] = (await engine.status()).datasets;
      assert.deepEqual([status?.knownMissing, status?.backfill.failed], [0, 0]);

      // A restart keeps what the source reported: still not final.
      await engine.stop();
      const again = await engineFor(
        {
          partition: { sequence: { start: 1 } },
          sources: [upstreamSource('primary', up.url)],
          backfill: fast,
        },
        { locator },
      );
      assert.equal(await again.engine.store.loadSourceNewest('draws'), 9);
      await again.engine.start({ collect: false, backfill: true });
      const asked = up.calls.history.length;
      await waitFor(() => up.calls.history.length >= asked + 3, 'the restarted engine to ask again');
      assert.equal((await again.engine.store.loadKnownMissing('draws')).size, 0);

      for (const p of [11, 12, 13]) up.periods.set(p, payloadOf(p));
      up.latest = 13;
      await waitFor(
        async () => (await again.engine.gaps('draws')).length === 0,
        'the published partitions to be filled',
      );
      const rows = await again.engine.store.recordsBetween('draws', 10, 12);
      assert.deepEqual(
        rows.map((r) => [r.key, r.source]),
        [
          ['11', 'primary'],
          ['12', 'primary'],
          ['13', 'primary'],
        ],
      );
      assert.equal((await again.engine.store.loadKnownMissing('draws')).size, 0);
    });

    it('a manual run does not wait for partitions the source has not published: it reports them deferred', async () => {
      up.latest = 10;
      const { engine } = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamSource('primary', up.url)],
        backfill: { ...fast, retryMax: '1h' },
      });
      await engine.open();
      await engine.collect('draws');
      await engine.ingest('draws', [...range(1, 8), 14].map(rec));
      await engine.start({ collect: false, backfill: true, queueOpenGaps: false });
      const run = await engine.queueBackfill('draws', engine.planBackfill('draws'), 'manual');
      const report = await engine.waitForRun(run.id);
      assert.deepEqual(
        [report.requested, report.filled, report.notFound, report.deferred, report.finishedAt],
        [4, 1, 0, 3, null],
      );
      assert.deepEqual(
        (await engine.store.listBackfillItems('draws')).map((i) => [i.ordinal, i.state, i.attempts]),
        [
          [10, 'pending', 0],
          [11, 'pending', 0],
          [12, 'pending', 0],
        ],
      );
    });

    it('still records "not found" as known missing once the source has moved past the partition', async () => {
      up.periods.set(15, payloadOf(15));
      up.absent.add(12);
      try {
        const { engine } = await engineFor({
          partition: { sequence: { start: 1 } },
          sources: [upstreamSource('primary', up.url)],
          backfill: fast,
        });
        await engine.start({ collect: false, backfill: true });
        await engine.ingest('draws', [...range(1, 11), 13].map(rec)); // pushed: the source's newest is learned from it
        await waitFor(
          async () => (await engine.status()).datasets[0]!.knownMissing === 1,
          '12 to be known missing',
        );
        assert.deepEqual([...(await engine.store.loadKnownMissing('draws')).ranges()], [[11, 11]]);
      } finally {
        up.absent.delete(12);
      }
    });

    it('plans a dry run over a 9e15-partition gap as ranges and counts', async () => {
      const { engine, app } = await engineFor({
        partition: { sequence: { start: 0, horizon: false } },
        sources: [upstreamSource('primary', up.url)],
      });
      await engine.open();
      await engine.ingest('draws', [rec(0), rec(9_000_000_000_000_000)]);
      const plan = engine.planBackfill('draws');
      assert.equal(plan.partitions, 8_999_999_999_999_999);
      assert.equal(plan.queueNow, 10_000);
      assert.deepEqual(plan.gaps, [{ from: 1, to: 8_999_999_999_999_999, count: 8_999_999_999_999_999 }]);
      assert.equal('ordinals' in plan, false);
      const res = await app.request('/api/datasets/draws/backfills', {
        method: 'POST',
        headers,
        body: JSON.stringify({ dryRun: true }),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { plan: { partitions: number; queueNow: number; gapCount: number } };
      assert.deepEqual(
        [body.plan.partitions, body.plan.queueNow, body.plan.gapCount],
        [8_999_999_999_999_999, 10_000, 1],
      );
    });

    it('queues a huge gap in bounded pieces: at most maxQueued partitions wait at once', async () => {
      const { engine, app } = await engineFor({
        partition: { sequence: { start: 0, horizon: false } },
        sources: [upstreamSource('primary', up.url)],
        backfill: { enabled: false, maxQueued: 50 },
      });
      await engine.open();
      await engine.ingest('draws', [rec(0), rec(9_000_000_000_000_000)]);
      const res = await app.request('/api/datasets/draws/backfills', { method: 'POST', headers, body: '{}' });
      assert.equal(res.status, 202);
      const { run } = (await res.json()) as { run: { requested: number; toOrdinal: number } };
      assert.deepEqual([run.requested, run.toOrdinal], [50, 8_999_999_999_999_999]);
      const queued = await engine.store.listBackfillItems('draws');
      assert.deepEqual(
        queued.map((i) => i.ordinal),
        range(1, 50),
      );
    });

    it('works through a gap larger than maxQueued without a restart, topping the queue up as it drains', async () => {
      for (const p of range(11, 40)) up.periods.set(p, payloadOf(p));
      const { engine } = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamSource('primary', up.url)],
        backfill: { ...fast, maxQueued: 5 },
      });
      await engine.start({ collect: false, backfill: true });
      await engine.ingest('draws', [rec(1), rec(25)]); // a 23-partition gap
      await waitFor(
        async () => (await engine.store.listBackfillRuns('draws', 1))[0]?.finishedAt != null,
        'the run over the whole gap to finish',
        15_000,
      );
      assert.deepEqual(await engine.gaps('draws'), []);
      assert.equal((await engine.store.stats('draws')).records, 25);
      const runs = await engine.store.listBackfillRuns('draws', 10);
      assert.equal(runs.length, 1);
      assert.deepEqual([runs[0]?.requested, runs[0]?.filled], [23, 23]);
      assert.notEqual(runs[0]?.finishedAt, null);
    });

    it('a run stopped while still being queued is resumed by the next process, not planned again', async () => {
      for (const p of range(11, 40)) up.periods.set(p, payloadOf(p));
      const dataset = {
        partition: { sequence: { start: 1 } },
        sources: [upstreamSource('primary', up.url)],
        backfill: { ...fast, maxQueued: 5 },
      };
      const first = await engineFor(dataset);
      await first.engine.open();
      await first.engine.ingest('draws', [rec(1), rec(25)]);
      const run = await first.engine.queueBackfill('draws', first.engine.planBackfill('draws', {}), 'manual');
      assert.equal(run.requested, 5, 'only maxQueued partitions queued before the stop');
      await first.engine.stop();

      const next = await engineFor(dataset, { locator: first.locator });
      await next.engine.start({ collect: false, backfill: true, queueOpenGaps: false });
      await waitFor(
        async () => (await next.engine.store.listBackfillRuns('draws', 1))[0]?.finishedAt != null,
        'the resumed run to finish',
        15_000,
      );
      const runs = await next.engine.store.listBackfillRuns('draws', 10);
      assert.deepEqual(
        runs.map((r) => [r.id, r.requested, r.filled]),
        [[run.id, 23, 23]],
        'the same run, topped up to the whole gap',
      );
      assert.deepEqual(await next.engine.gaps('draws'), []);
      assert.equal((await next.engine.store.stats('draws')).records, 25);
      assert.deepEqual(
        [...new Set(up.calls.history)].length,
        up.calls.history.length,
        'no partition asked twice',
      );
    });

    it('a manual run over more partitions than maxQueued fills and reports all of them', async () => {
      for (const p of range(11, 40)) up.periods.set(p, payloadOf(p));
      const { engine } = await engineFor({
        partition: { sequence: { start: 1 } },
        sources: [upstreamSource('primary', up.url)],
        backfill: { ...fast, maxQueued: 5 },
      });
      await engine.open();
      await engine.ingest('draws', [rec(1), rec(25)]); // nothing queued: no worker yet
      await engine.start({ collect: false, backfill: true, queueOpenGaps: false });
      const plan = engine.planBackfill('draws', { from: 3, to: 20 });
      assert.deepEqual([plan.partitions, plan.queueNow], [18, 5]);
      const run = await engine.queueBackfill('draws', plan, 'manual');
      assert.equal(run.requested, 5);
      const report = await engine.waitForRun(run.id);
      assert.deepEqual([report.requested, report.filled, report.notFound, report.failed], [18, 18, 0, 0]);
      assert.deepEqual(
        (await engine.gaps('draws')).map((g) => [g.from, g.to]),
        [
          [2, 2],
          [21, 24],
        ],
      );
    });
  });
}

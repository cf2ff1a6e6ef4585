// The rollups module through the engine on every store adapter (a SQLite file, a fresh PostgreSQL
// database): counts fed only by inserted records (a retried batch changes nothing), a late record
// updates its closed bucket, rebuild equals the incremental result, two processes applying at once
// count each record once, coarser series merge sketches, top-N snapshots are versioned and pruned.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock, type ManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import type { SeriesPoint } from '../src/rollups/rollup-query.js';
import { rollupsModule } from '../src/rollups/rollups-module.js';
import type { Rollups } from '../src/rollups/rollups-runtime.js';
import { exactByHourAndPath, type GatewayEvent, gatewayEvents } from './helpers/gateway-events.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';

const H10 = Date.UTC(2026, 2, 2, 10);
const H11 = H10 + 3_600_000;
const H12 = H11 + 3_600_000;
const DAY = Date.UTC(2026, 2, 2);

const configInput = (
  top: Record<string, unknown> = { by: 'requests', n: 3, keep: 2, everyIngests: 2, every: '1h' },
) => ({
  store: { sqlite: ':memory:' },
  server: { enabled: false },
  datasets: { 'gateway-events': { partition: { sequence: { start: 1, horizon: false } } } },
  rollups: {
    'by-path': {
      dataset: 'gateway-events',
      dimensions: ['path'],
      bucket: 'hour',
      timeField: 'ts',
      measures: {
        requests: { kind: 'count' },
        clients: { kind: 'unique', field: 'client' },
        latency: { kind: 'quantiles', field: 'latency_ms' },
        slowest: { kind: 'max', field: 'latency_ms' },
        total_ms: { kind: 'sum', field: 'latency_ms' },
      },
      top,
    },
  },
});

function pointOf(series: readonly SeriesPoint[], hour: number, path: string): SeriesPoint | undefined {
  return series.find((p) => p.bucketStart === hour && p.dims.path === path);
}

/** Every (hour, path) the rollup shows against the exact figures: counts exact, sketches within bounds. */
function assertMatchesExact(series: readonly SeriesPoint[], events: readonly GatewayEvent[]): void {
  const exact = exactByHourAndPath(events);
  assert.equal(series.length, exact.size, 'one point per (hour, path) with events');
  for (const [key, x] of exact) {
    const [hour, path] = key.split('|') as [string, string];
    const p = pointOf(series, Date.parse(hour), path);
    assert.ok(p, `no point for ${key}`);
    assert.equal(p.values.requests, x.count, `${key}: count`);
    // Up to a few hundred distinct clients: HyperLogLog p=14 is all but exact there.
    assert.ok(
      Math.abs((p.values.clients as number) - x.clients.size) <= Math.max(2, 0.02 * x.clients.size),
      `${key}: clients ${p.values.clients} vs ${x.clients.size}`,
    );
    assert.equal(p.values.slowest, Math.max(...x.latencies), `${key}: max`);
    const sum = x.latencies.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs((p.values.total_ms as number) - sum) < 1e-6 * sum, `${key}: sum`);
    const sorted = [...x.latencies].sort((a, b) => a - b);
    const p95 = (p.values.latency as Record<string, number>).p95 as number;
    const rank = sorted.filter((v) => v < p95).length / sorted.length;
    assert.ok(Math.abs(rank - 0.95) <= 0.02 + 1 / sorted.length, `${key}: p95 ${p95} at rank ${rank}`);
  }
}

for (const adapter of STORE_ADAPTERS) {
  describe(`rollups through the engine on ${adapter.name}`, { skip: adapter.skip }, () => {
    let locator: string;
    let clock: ManualClock;
    const engines: Engine[] = [];

    async function open(input = configInput()): Promise<{ engine: Engine; rollups: Rollups }> {
      const config = compileConfig(input, { env: {}, baseDir: '.' });
      const engine = createEngine({
        config,
        store: await adapter.open(locator),
        clock,
        logger: silentLogger,
      });
      await engine.open();
      engines.push(engine);
      return { engine, rollups: engine.module(rollupsModule) };
    }

    beforeEach(async () => {
      locator = await adapter.createDatabase();
      clock = createManualClock(H12 + 60_000);
    });
    afterEach(async () => {
      for (const e of engines.splice(0)) await e.stop();
      await adapter.dropDatabase(locator);
    });

    it('counts what was inserted; a retried batch changes nothing', async () => {
      const { engine, rollups } = await open();
      const batch = gatewayEvents(1, 600, H10, 1);
      const first = await engine.ingest('gateway-events', batch);
      assert.equal(first.inserted, 600);
      await rollups.catchUp();
      const before = await rollups.series('by-path', { from: H10, to: H12 });
      assertMatchesExact(before, batch);

      // The queue delivers the same batch again (and once more in pieces): nothing is inserted, nothing counted.
      const retry = await engine.ingest('gateway-events', batch);
      assert.equal(retry.inserted, 0);
      await engine.ingest('gateway-events', batch.slice(100, 300));
      const [applied] = await rollups.catchUp();
      assert.equal(applied?.applied, 0);
      assert.deepEqual(await rollups.series('by-path', { from: H10, to: H12 }), before);
      const [status] = await rollups.status('by-path');
      assert.equal(status?.applied, 600);
      assert.equal(status?.pendingRecords, 0);
    });

    it('a late record backfilled into a closed hour updates that hour', async () => {
      const { engine, rollups } = await open();
      const h10 = gatewayEvents(1, 300, H10, 2);
      const h11 = gatewayEvents(301, 300, H11, 3);
      await engine.ingest('gateway-events', h10);
      await engine.ingest('gateway-events', h11);
      await rollups.catchUp();
      const late: GatewayEvent = {
        key: 'evt-late',
        partition: 10_000,
        payload: {
          ts: new Date(H10 + 1_000).toISOString(),
          path: '/v1/orders',
          method: 'GET',
          status: 200,
          client: 'a-client-never-seen',
          latency_ms: 99_999,
        },
      };
      const before = pointOf(await rollups.series('by-path', { from: H10, to: H12 }), H10, '/v1/orders');
      await engine.ingest('gateway-events', [late]);
      await rollups.catchUp();
      const series = await rollups.series('by-path', { from: H10, to: H12 });
      const after = pointOf(series, H10, '/v1/orders');
      assert.equal(after?.values.requests, (before?.values.requests as number) + 1);
      assert.equal(after?.values.clients, (before?.values.clients as number) + 1);
      assert.equal(after?.values.slowest, 99_999);
      assertMatchesExact(series, [...h10, ...h11, late]);
    });

    it('rebuild equals incremental, and records not yet applied are not counted twice', async () => {
      const { engine, rollups } = await open();
      const all: GatewayEvent[] = [];
      let n = 1;
      for (const [hour, seed] of [
        [H10, 4],
        [H11, 5],
        [H10, 6],
      ] as const) {
        const batch = gatewayEvents(n, 250, hour, seed);
        n += 250;
        all.push(...batch);
        await engine.ingest('gateway-events', batch);
        await rollups.catchUp();
      }
      const incremental = await rollups.series('by-path', {
        from: H10,
        to: H12,
        quantiles: [0.5, 0.95, 0.99],
      });
      assertMatchesExact(incremental, all);
      const rebuilt = await rollups.rebuild('by-path', H10, H12);
      assert.equal(rebuilt.records, 750);
      const after = await rollups.series('by-path', { from: H10, to: H12, quantiles: [0.5, 0.95, 0.99] });
      for (const p of incremental) {
        const q = pointOf(after, p.bucketStart, p.dims.path as string);
        // Exact measures are identical; sketches merged in another order agree within their bounds.
        assert.equal(q?.values.requests, p.values.requests);
        assert.equal(q?.values.clients, p.values.clients, 'HyperLogLog merge is order-independent');
        assert.equal(q?.values.slowest, p.values.slowest);
      }
      assertMatchesExact(after, all);

      // Records inserted but not applied yet: a rebuild leaves them to the cursor, which then counts them once.
      const more = gatewayEvents(n, 200, H11, 7);
      await engine.ingest('gateway-events', more);
      const partial = await rollups.rebuild('by-path', H10, H12);
      assert.equal(partial.records, 750);
      await rollups.catchUp();
      assertMatchesExact(await rollups.series('by-path', { from: H10, to: H12 }), [...all, ...more]);
    });

    it('two processes applying the same records count each once', async () => {
      const a = await open();
      const b = await open();
      const all: GatewayEvent[] = [];
      for (let i = 0; i < 6; i++) {
        const batch = gatewayEvents(1 + i * 200, 200, i % 2 === 0 ? H10 : H11, 20 + i);
        all.push(...batch);
        await (i % 2 === 0 ? a : b).engine.ingest('gateway-events', batch);
        await Promise.all([a.rollups.catchUp(), b.rollups.catchUp()]);
      }
      assertMatchesExact(await a.rollups.series('by-path', { from: H10, to: H12 }), all);
      const [status] = await b.rollups.status('by-path');
      assert.equal(status?.applied, 1200);
    });

    it('a day series merges the hourly sketches: unique clients of the day are not the sum of the hours', async () => {
      const { engine, rollups } = await open();
      const h10 = gatewayEvents(1, 400, H10, 8, 200);
      const h11 = gatewayEvents(401, 400, H11, 9, 200);
      await engine.ingest('gateway-events', [...h10, ...h11]);
      await rollups.catchUp();
      const hours = await rollups.series('by-path', { from: DAY, to: DAY + 86_400_000, groupBy: [] });
      const [day] = await rollups.series('by-path', {
        from: DAY,
        to: DAY + 86_400_000,
        bucket: 'day',
        groupBy: [],
      });
      assert.equal(hours.length, 2);
      assert.equal(day?.bucketStart, DAY);
      assert.equal(day?.values.requests, 800);
      const distinct = new Set([...h10, ...h11].map((e) => e.payload.client)).size;
      const summed = hours.reduce((s, p) => s + (p.values.clients as number), 0);
      assert.ok(summed > distinct + 50, `hourly uniques sum to ${summed}, the day has ${distinct}`);
      assert.ok(
        Math.abs((day?.values.clients as number) - distinct) <= 3,
        `day: ${day?.values.clients} vs ${distinct}`,
      );
      const filtered = await rollups.series('by-path', {
        from: DAY,
        to: DAY + 86_400_000,
        bucket: 'day',
        filter: { path: '/health' },
      });
      const health = [...h10, ...h11].filter((e) => e.payload.path === '/health').length;
      assert.equal(filtered[0]?.values.requests, health);
      await assert.rejects(
        rollups.series('by-path', { from: H10, to: H12, bucket: 'minute' }),
        /counts per hour/,
      );
      await assert.rejects(
        rollups.series('by-path', { from: H10, to: H12, filter: { host: 'x' } }),
        /no dimension "host"/,
      );
    });

    it('top-N by a measure; snapshots are versioned, refreshed every N ingests or T, the last K kept', async () => {
      const { engine, rollups } = await open();
      await engine.start({ collect: true });
      const events = gatewayEvents(1, 510, H11, 10);
      const topOf = (list: readonly GatewayEvent[]) => {
        const byPath = new Map<string, number>();
        for (const e of list) byPath.set(e.payload.path, (byPath.get(e.payload.path) ?? 0) + 1);
        return [...byPath.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, 3);
      };
      const entriesOf = (body: Record<string, unknown>) =>
        (body.entries as Array<{ dims: { path: string }; value: number }>).map((e) => [e.dims.path, e.value]);

      // The first records applied make version 1 (no snapshot yet: the time rule is due).
      await engine.ingest('gateway-events', events.slice(0, 250));
      await rollups.catchUp();
      const v1 = await rollups.snapshot('by-path', 'latest');
      assert.equal(v1.version, 1);
      assert.deepEqual(entriesOf(v1.body), topOf(events.slice(0, 250)));
      // One more ingest: not yet due (everyIngests: 2, every: 1h on a clock that has not moved).
      await engine.ingest('gateway-events', events.slice(250, 500));
      await rollups.catchUp();
      assert.equal((await rollups.snapshot('by-path', 'latest')).version, 1);
      // The second ingest since version 1 makes version 2, over everything applied.
      await engine.ingest('gateway-events', events.slice(500));
      await rollups.catchUp();
      const v2 = await rollups.snapshot('by-path', 'latest');
      assert.equal(v2.version, 2);
      assert.deepEqual(entriesOf(v2.body), topOf(events));
      const top = await rollups.top('by-path', { from: H10, to: H12 });
      assert.deepEqual(
        top.map((e) => [e.dims.path, e.value]),
        topOf(events),
      );
      const p95 = await rollups.top('by-path', { from: H10, to: H12, by: 'latency.p95', n: 5 });
      assert.equal(p95.length, 5);
      assert.ok((p95[0]?.value as number) >= (p95[4]?.value as number));
      await assert.rejects(rollups.top('by-path', { from: H10, to: H12, by: 'latency' }), /latency.p95/);

      // An hour later one ingest is enough (the time rule); only the newest two versions are kept.
      clock.advance(3_600_000);
      await engine.ingest('gateway-events', gatewayEvents(511, 5, H11, 11));
      await rollups.catchUp();
      assert.deepEqual(
        (await rollups.snapshots('by-path')).map((v) => v.version),
        [3, 2],
      );
      assert.equal((await rollups.snapshot('by-path', 2)).version, 2);
      await assert.rejects(rollups.snapshot('by-path', 1), /no top-N snapshot version 1/);
    });
  });
}

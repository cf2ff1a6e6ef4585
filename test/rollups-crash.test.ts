// kill -9 of a real `serve --no-http` while it ingests from a real HTTP upstream and applies an hourly
// rollup, several times, restarting at once each time; on a SQLite file and on PostgreSQL. Once every
// record is stored, the rollup must equal the exact figures computed from the stored records (a
// record lost or applied twice changes a count), and `rollup rebuild` must give the same answer.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { SeriesPoint } from '../src/rollups/rollup-query.js';
import { rollupStorePart } from '../src/rollups/store/rollup-store-part.js';
import type { Store } from '../src/store/store.js';
import { exited, runCli, spawnCli } from './helpers/cli.js';
import { exactByHourAndPath, type GatewayEvent, gatewayEvents } from './helpers/gateway-events.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { startTestUpstream, type TestUpstream } from './helpers/test-upstream.js';

const H10 = Date.UTC(2026, 2, 2, 10);
const HOUR = 3_600_000;
const PER_HOUR = 300;
const PERIODS = 3 * PER_HOUR;
const KILLS = 4;

/** The upstream's events: 300 per hour over three hours, keyed by period (`issue`). */
const EVENTS: GatewayEvent[] = [0, 1, 2].flatMap((h) =>
  gatewayEvents(1 + h * PER_HOUR, PER_HOUR, H10 + h * HOUR, 40 + h),
);

const configYaml = (store: string, upstream: string) => `store: ${store}
log: { level: info }
datasets:
  gateway-events:
    partition: { sequence: { start: 1 } }
    sources:
      - name: gateway
        type: http
        baseUrl: ${upstream}
        latest: { url: /latest }
        byKey: { url: /history, query: { issue: '\${partition}' } }
        response: { records: data, key: issue }
        timeoutMs: 5000
    collect: { schedule: '* * * * * *' }
    backfill: { concurrency: 4, ratePerSecond: 1000, retryInitial: 50ms, lease: 2s }
rollups:
  by-path:
    dataset: gateway-events
    dimensions: [path]
    bucket: hour
    timeField: ts
    measures:
      requests: { kind: count }
      clients: { kind: unique, field: client }
      latency: { kind: quantiles, field: latency_ms }
`;

interface Exact {
  count: number;
  clients: Set<string>;
  latencies: number[];
}

/** Every (hour, path) of the series against the exact figures: counts exact, sketches within their bounds. */
function assertExact(series: readonly SeriesPoint[], exact: Map<string, Exact>, what: string): void {
  assert.equal(series.length, exact.size, `${what}: one point per (hour, path) with records`);
  for (const [key, x] of exact) {
    const [hour, path] = key.split('|') as [string, string];
    const p = series.find((s) => s.bucketStart === Date.parse(hour) && s.dims.path === path);
    assert.ok(p, `${what}: no point for ${key}`);
    assert.equal(p.values.requests, x.count, `${what}: ${key}: count`);
    const clients = p.values.clients as number;
    assert.ok(
      Math.abs(clients - x.clients.size) <= Math.max(2, 0.02 * x.clients.size),
      `${what}: ${key}: clients ${clients} vs ${x.clients.size}`,
    );
    const sorted = [...x.latencies].sort((a, b) => a - b);
    const p95 = (p.values.latency as Record<string, number>).p95 as number;
    const rank = sorted.filter((v) => v < p95).length / sorted.length;
    assert.ok(
      Math.abs(rank - 0.95) <= 0.02 + 1 / sorted.length,
      `${what}: ${key}: p95 ${p95} at rank ${rank}`,
    );
  }
}

for (const adapter of STORE_ADAPTERS) {
  describe(`rollups crash recovery on ${adapter.name}: kill -9 of serve mid-ingest`, {
    skip: adapter.skip,
  }, () => {
    let up: TestUpstream;
    let tmp: ReturnType<typeof tempDir>;
    let locator: string;
    let store: Store | undefined;

    before(async () => {
      up = await startTestUpstream([]);
      for (const e of EVENTS) up.periods.set(e.partition, { issue: e.partition, ...e.payload });
      up.historyDelayMs = 15;
    });
    after(async () => up.close());
    beforeEach(async () => {
      tmp = tempDir('gapwarden-rollups-crash-');
      locator = adapter.name === 'sqlite' ? join(tmp.dir, 'store.db') : await adapter.createDatabase();
    });
    afterEach(async () => {
      await store?.close();
      store = undefined;
      if (adapter.name === 'postgres') await adapter.dropDatabase(locator);
      tmp.cleanup();
    });

    it('after several kills the rollup equals the exact figures of the stored records, and so does a rebuild', async () => {
      const config = join(tmp.dir, 'gapwarden.config.yaml');
      const storeLine =
        adapter.name === 'sqlite' ? `{ sqlite: '${locator}' }` : `{ postgres: '\${env:GW_TEST_STORE}' }`;
      writeFileSync(config, configYaml(storeLine, up.url));
      const env = { GW_TEST_STORE: locator };
      store = await adapter.open(locator);
      const rollupStore = store.part(rollupStorePart);
      await store.migrate();
      const opened = store;
      const stored = async () => (await opened.stats('gateway-events').catch(() => ({ records: 0 }))).records;
      // What a catch-up changes: the cursor, and the counts in the cells (in one transaction).
      const cursor = async () => (await rollupStore.cursor('by-path'))?.position ?? 0;
      const counted = async () =>
        (await rollupStore.readCells('by-path', 0, Number.MAX_SAFE_INTEGER)).reduce((n, c) => n + c.count, 0);

      // Each process is killed once it has stored more records than the last one left, right after
      // its rollup changed the cursor (odd kills) or the cells (even kills): were the two not moved
      // together, the kill would likely fall between them.
      for (let k = 1; k <= KILLS; k++) {
        const serve = spawnCli(['serve', '--config', config, '--no-http'], env);
        const target = Math.floor((k * PERIODS) / (KILLS + 2));
        await waitFor(
          async () => (await stored()) >= target,
          `serve #${k} to store ${target} records`,
          120_000,
        );
        const watched = k % 2 === 1 ? cursor : counted;
        const seen = await watched();
        await waitFor(async () => (await watched()) !== seen, `serve #${k} to apply records`, 60_000);
        serve.kill('SIGKILL');
        const killed = await exited(serve);
        assert.equal(killed.signal, 'SIGKILL', serve.output());
      }
      const atLastKill = await stored();
      assert.ok(atLastKill < PERIODS, `the ingest should still have been running (stored ${atLastKill})`);

      const last = spawnCli(['serve', '--config', config, '--no-http'], env);
      await waitFor(
        async () => (await stored()) === PERIODS,
        'the last serve to store every record',
        180_000,
      );
      last.kill('SIGTERM');
      assert.equal((await exited(last)).code, 0, `serve should stop cleanly on SIGTERM:\n${last.output()}`);

      // The exact figures, from what the store holds (each upstream event once).
      const rows = await opened.recordsBetween('gateway-events', 0, PERIODS);
      assert.equal(rows.length, PERIODS);
      const payloads = rows.map((r) => JSON.parse(r.payload) as GatewayEvent['payload'] & { issue: number });
      assert.deepEqual(
        payloads.map((p) => p.issue).sort((a, b) => a - b),
        EVENTS.map((e) => e.partition),
      );
      const exact = exactByHourAndPath(
        payloads.map((p) => ({ key: String(p.issue), partition: p.issue, payload: p })),
      );

      const cli = async (...args: string[]) => {
        const r = await runCli([...args, '--config', config, '--json'], { env, timeoutMs: 120_000 });
        assert.equal(r.code, 0, `gapwarden ${args.join(' ')}:\n${r.stderr}`);
        return JSON.parse(r.stdout) as Record<string, unknown>;
      };
      const range = ['--from', new Date(H10).toISOString(), '--to', new Date(H10 + 3 * HOUR).toISOString()];
      const query = async () =>
        (await cli('rollup', 'query', 'by-path', ...range, '-q', '0.5,0.95')).series as SeriesPoint[];

      const incremental = await query();
      assertExact(incremental, exact, 'incremental');
      const status = (await cli('rollup', 'status')).rollups as Array<{
        applied: number;
        pendingRecords: number;
      }>;
      assert.equal(status[0]?.applied, PERIODS, 'each stored record applied exactly once');
      assert.equal(status[0]?.pendingRecords, 0);

      const rebuilt = await cli('rollup', 'rebuild', 'by-path', ...range);
      assert.equal(rebuilt.records, PERIODS);
      const after = await query();
      assertExact(after, exact, 'rebuilt');
      for (const p of incremental) {
        const q = after.find((x) => x.bucketStart === p.bucketStart && x.dims.path === p.dims.path);
        assert.equal(q?.values.requests, p.values.requests, 'rebuild: the same count');
        assert.equal(q?.values.clients, p.values.clients, 'rebuild: the same HyperLogLog estimate');
      }
    });
  });
}

// The API-gateway team's scenario from config, on SQLite and on PostgreSQL with the archive in a real
// S3-compatible server (s3rver on a free port): events → an hourly rollup by path (exact counts,
// unique clients by HyperLogLog, latency quantiles by t-digest) → a top-N snapshot → the days past
// retention archived, verified, then deleted → a day restored. The rollup outlives the detail and
// counts nothing twice when a day comes back.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import type { Engine } from '../src/engine/engine.js';
import { createManualClock } from '../src/internal/clock.js';
import { rollupsModule } from '../src/rollups/rollups-module.js';
import { archiveEngine, FIRST, gatewayEvents, HOUR, NOW } from './helpers/archive-setup.js';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from './helpers/s3-server.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';

let s3: TestS3Server | undefined;
before(async () => {
  s3 = await startS3Server();
});
after(async () => s3?.close());

/** gatewayEvents(NOW): 3 events an hour, one per path /v1/items/0..2, from FIRST to NOW. */
const HOURS = (NOW - FIRST) / HOUR;
const PATHS = ['/v1/items/0', '/v1/items/1', '/v1/items/2'];

for (const adapter of STORE_ADAPTERS) {
  describe(`gateway-stats scenario on ${adapter.name} with S3 objects`, { skip: adapter.skip }, () => {
    let locator: string;
    let engine: Engine | undefined;

    beforeEach(async () => {
      locator = await adapter.createDatabase();
    });
    afterEach(async () => {
      await engine?.stop().catch(() => {});
      await adapter.dropDatabase(locator);
    });

    it('rolls events up exactly, snapshots the top paths, archives then deletes old detail, and restores a day without double counting', async () => {
      const config = compileConfig(
        {
          store: { sqlite: '/nonexistent/unused.db' },
          datasets: {
            events: {
              partition: { calendar: { every: '1h', start: '2026-11-10T00:00:00Z', horizon: false } },
            },
          },
          rollups: {
            'by-path': {
              dataset: 'events',
              dimensions: ['path'],
              bucket: 'hour',
              measures: {
                requests: { kind: 'count' },
                clients: { kind: 'unique', field: 'client' },
                latency: { kind: 'quantiles', field: 'latency_ms' },
              },
              top: { by: 'requests', n: 2, keep: 3 },
            },
          },
          archive: {
            store: {
              s3: {
                bucket: s3!.bucket,
                endpoint: s3!.endpoint,
                prefix: `${randomBytes(4).toString('hex')}/`,
                ...S3RVER_CREDENTIALS,
              },
            },
            datasets: { events: { retention: '7d', deleteBatch: 50 } },
          },
        },
        { env: {} },
      );
      const store = await adapter.open(locator);
      const made = archiveEngine(store, config, createManualClock(NOW));
      engine = made.engine;
      const { archive } = made;
      await engine.open();
      const rollups = engine.module(rollupsModule);

      const events = gatewayEvents(NOW);
      assert.equal(events.length, 3 * HOURS);
      await engine.ingest('events', events);
      // A retried batch counts nothing twice.
      await engine.ingest('events', events.slice(0, 30));
      await rollups.catchUp();

      const byPath = async () =>
        (await rollups.series('by-path', { from: FIRST, to: NOW, bucket: 'day', quantiles: [0.95] })).map(
          (p) => ({ day: p.bucket, path: p.dims.path, values: p.values }),
        );
      const totals = (series: Awaited<ReturnType<typeof byPath>>) => {
        const t = new Map<string, number>();
        for (const p of series)
          t.set(String(p.path), (t.get(String(p.path)) ?? 0) + Number(p.values.requests));
        return Object.fromEntries([...t].sort());
      };
      const before = await byPath();
      assert.deepEqual(totals(before), Object.fromEntries(PATHS.map((p) => [p, HOURS])), 'exact counts');
      for (const p of before.filter((x) => x.day === '2026-11-11T00:00:00.000Z')) {
        const i = PATHS.indexOf(String(p.path));
        // Each path's client is c-((hour + i) mod 17): all 17 appear in a day of 24 hours.
        assert.equal(Math.round(Number(p.values.clients)), 17, `${p.path} unique clients`);
        assert.deepEqual(p.values.latency, { p95: 12.5 + i }, `${p.path} p95 latency`);
      }

      // Catching up already refreshed the snapshot; one taken now is the next version.
      const taken = (await rollups.snapshots('by-path')).map((v) => v.version);
      const snap = await rollups.snapshotTop('by-path');
      assert.equal(snap.version, Math.max(0, ...taken) + 1);
      assert.equal((snap.body.entries as unknown[] | undefined)?.length, 2, JSON.stringify(snap.body));
      assert.equal((await rollups.snapshot('by-path', 'latest')).version, snap.version);

      const [report] = await archive.archiver.run();
      assert.deepEqual(report!.errors, []);
      assert.deepEqual(
        report!.parts.map((p) => [p.day, p.state, p.records]),
        [
          ['2026-11-10', 'deleted', 72],
          ['2026-11-11', 'deleted', 72],
          ['2026-11-12', 'deleted', 72],
        ],
      );
      assert.equal((await store.stats('events')).records, events.length - 216);
      await rollups.catchUp();
      assert.deepEqual(await byPath(), before, 'rollups outlive the detail');
      assert.deepEqual(await engine.gaps('events'), [], 'archived partitions count as present');

      const restored = await archive.archiver.restore('events', '2026-11-11');
      assert.equal(restored.inserted, 72);
      await rollups.catchUp();
      assert.deepEqual(await byPath(), before, 'a restored day is not counted again');
      assert.equal((await store.stats('events')).records, events.length - 144);
    });
  });
}

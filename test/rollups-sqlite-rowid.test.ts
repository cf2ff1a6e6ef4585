// Records inserted after the newest ones were deleted are counted by the rollups. The rollup cursor is
// a record's position: on SQLite its rowid, which without AUTOINCREMENT was handed out again after the
// newest records were deleted (a purge of the newest partitions, or an archive pass that removes
// them), so those new records sat at or below the cursor and were never counted; store migration 8
// makes positions AUTOINCREMENT. PostgreSQL's `records.seq` never goes back.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { rollupsModule } from '../src/rollups/rollups-module.js';
import type { Store } from '../src/store/store.js';
import { gatewayEvents } from './helpers/gateway-events.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';

const H10 = Date.UTC(2026, 2, 2, 10);

for (const adapter of STORE_ADAPTERS) {
  describe(`rollups on ${adapter.name}: new records after the newest ones were purged`, {
    skip: adapter.skip,
  }, () => {
    let locator: string;
    let store: Store;
    let engine: Engine;
    beforeEach(async () => {
      locator = await adapter.createDatabase();
      store = await adapter.open(locator);
      engine = createEngine({
        config: compileConfig(
          {
            store: { sqlite: ':memory:' },
            server: { enabled: false },
            datasets: { 'gateway-events': { partition: { sequence: { start: 1, horizon: false } } } },
            rollups: {
              hourly: {
                dataset: 'gateway-events',
                dimensions: [],
                bucket: 'hour',
                timeField: 'ts',
                measures: { requests: { kind: 'count' } },
              },
            },
          },
          { env: {}, baseDir: '.' },
        ),
        store,
        clock: createManualClock(H10 + 7_200_000),
        logger: silentLogger,
      });
      await engine.open();
    });
    afterEach(async () => {
      await engine.stop();
      await adapter.dropDatabase(locator);
    });

    it('are counted (the purged ones stay counted)', async () => {
      const rollups = engine.module(rollupsModule);
      await engine.ingest('gateway-events', gatewayEvents(1, 10, H10, 1));
      await rollups.catchUp();
      // Partitions 6..10 are ordinals 5..9: the newest records.
      const purged = await store.purgePartitions(
        'gateway-events',
        { from: 5, to: 9, records: true, knownMissing: false, by: 'library' },
        H10,
      );
      assert.equal(purged.records, 5);
      assert.equal((await engine.ingest('gateway-events', gatewayEvents(11, 5, H10, 2))).inserted, 5);
      await rollups.catchUp();
      const [point] = await rollups.series('hourly', { from: H10, to: H10 + 3_600_000 });
      assert.equal(point?.values.requests, 15, '10 counted before the purge, 5 new');
    });
  });
}

// PostgreSQL takes a record's `seq` when the row is inserted, before its transaction commits, so two
// ingest transactions can commit out of seq order. This reproduces that on a real server: an ingest
// transaction holds seq values open while a later ingest commits and the rollup catches up; when the
// first commits, its records must still be counted (a cursor that had moved past them never would).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { rollupsModule } from '../src/rollups/rollups-module.js';
import { exactByHourAndPath, type GatewayEvent, gatewayEvents } from './helpers/gateway-events.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';
import { waitFor } from './helpers/temp-dir.js';

const H10 = Date.UTC(2026, 2, 2, 10);
const H11 = H10 + 3_600_000;
const H12 = H11 + 3_600_000;

const postgres = STORE_ADAPTERS.find((a) => a.name === 'postgres');
if (!postgres) throw new Error('no postgres store adapter');

const configInput = {
  store: { sqlite: ':memory:' },
  server: { enabled: false },
  datasets: { 'gateway-events': { partition: { sequence: { start: 1, horizon: false } } } },
  rollups: {
    'by-path': {
      dataset: 'gateway-events',
      dimensions: ['path'],
      bucket: 'hour',
      timeField: 'ts',
      measures: { requests: { kind: 'count' }, clients: { kind: 'unique', field: 'client' } },
    },
  },
};

describe('rollups on postgres: ingest transactions committing out of seq order', {
  skip: postgres.skip,
}, () => {
  let url: string;
  let engine: Engine;
  let raw: pg.Client;
  let watcher: pg.Client;

  beforeEach(async () => {
    url = await postgres.createDatabase();
    engine = createEngine({
      config: compileConfig(configInput, { env: {}, baseDir: '.' }),
      store: await postgres.open(url),
      clock: createManualClock(H12 + 60_000),
      logger: silentLogger,
    });
    await engine.open();
    raw = new pg.Client({ connectionString: url });
    watcher = new pg.Client({ connectionString: url });
    await raw.connect();
    await watcher.connect();
  });
  afterEach(async () => {
    await raw.end().catch(() => {});
    await watcher.end().catch(() => {});
    await engine.stop();
    await postgres.dropDatabase(url);
  });

  it('a record whose transaction commits after a later one caught up is still counted, once', async () => {
    const rollups = engine.module(rollupsModule);
    const first = gatewayEvents(1, 200, H10, 31);
    await engine.ingest('gateway-events', first);
    await rollups.catchUp();

    // Transaction A: an ingest in flight, as the store's own insert writes it; it takes its seq values now.
    const slow = gatewayEvents(201, 150, H10, 32);
    await raw.query('BEGIN');
    const { rows: slowSeqs } = await raw.query<{ seq: string }>(
      `INSERT INTO records (dataset_id, key, ordinal, payload, source, ingested_at, updated_at)
       SELECT (SELECT id FROM datasets WHERE name = 'gateway-events'), k, o, p, 'slow', $4, $4
       FROM unnest($1::text[], $2::bigint[], $3::text[]) AS t(k, o, p) RETURNING seq`,
      [slow.map((e) => e.key), slow.map((e) => e.partition), slow.map((e) => JSON.stringify(e.payload)), H12],
    );

    // Transaction B: a later ingest that commits first, with higher seq values.
    const fast = gatewayEvents(351, 250, H11, 33);
    assert.equal((await engine.ingest('gateway-events', fast)).inserted, 250);
    const { rows: fastSeqs } = await watcher.query<{ min: string }>(
      'SELECT min(seq) FROM records WHERE ordinal > 350',
    );
    assert.ok(
      Math.max(...slowSeqs.map((r) => Number(r.seq))) < Number(fastSeqs[0]?.min),
      'the transaction still open holds the lower positions',
    );

    // The rollup catches up while A is open: it must either wait for A or stop below A's positions.
    const caught = rollups.catchUp();
    let settled = false;
    void caught.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor(
      async () => {
        if (settled) return true;
        const { rows } = await watcher.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = 'records'::regclass",
        );
        return Number(rows[0]?.n) > 0;
      },
      'the catch-up to finish or to wait for the open ingest transaction',
      30_000,
    );
    await raw.query('COMMIT');
    await caught;
    await rollups.catchUp();

    const all: GatewayEvent[] = [...first, ...slow, ...fast];
    const { rows: stored } = await watcher.query<{ n: string }>('SELECT count(*) AS n FROM records');
    assert.equal(Number(stored[0]?.n), all.length, 'every record is stored');
    const series = await rollups.series('by-path', { from: H10, to: H12 });
    const exact = exactByHourAndPath(all);
    assert.equal(series.length, exact.size);
    for (const [key, x] of exact) {
      const [hour, path] = key.split('|') as [string, string];
      const p = series.find((s) => s.bucketStart === Date.parse(hour) && s.dims.path === path);
      assert.equal(p?.values.requests, x.count, `${key}: count`);
    }
    const [status] = await rollups.status('by-path');
    assert.equal(status?.applied, all.length, 'each record applied exactly once');
    assert.equal(status?.pendingRecords, 0);
  });
});

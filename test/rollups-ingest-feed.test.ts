// While `serve` collects on SQLite, the rollup is folded in the ingest's own transaction: the
// records are counted when the ingest returns (no catch-up ran: the module's timers are set far
// out), a retried batch counts nothing, records another process stored first make the fold wait
// for the cursor (then it resumes), and a fold that fails never fails the ingest — its records
// wait for the cursor, which a rebuild of the damaged cells lets through.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { compileConfig } from '../src/config/compile-config.js';
import { BUILT_IN_MODULES } from '../src/engine/built-in-modules.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock, type ManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { createRollupsModule } from '../src/rollups/rollups-module.js';
import type { Rollups } from '../src/rollups/rollups-runtime.js';
import { exactByHourAndPath, type GatewayEvent, gatewayEvents } from './helpers/gateway-events.js';
import { storeAdapter } from './helpers/store-adapters.js';

const H10 = Date.UTC(2026, 2, 2, 10);
const H11 = H10 + 3_600_000;
const H12 = H11 + 3_600_000;
const sqlite = storeAdapter('sqlite');

const config = compileConfig(
  {
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
        },
      },
    },
  },
  { env: {} },
);

/** Counts and distinct clients per (hour, path) as the rollup shows them, against the exact ones. */
async function assertCounts(rollups: Rollups, events: readonly GatewayEvent[]) {
  const series = await rollups.series('by-path', { from: H10, to: H12 });
  const exact = exactByHourAndPath(events);
  assert.equal(series.length, exact.size);
  for (const [key, x] of exact) {
    const [hour, path] = key.split('|') as [string, string];
    const p = series.find((s) => s.bucketStart === Date.parse(hour) && s.dims.path === path);
    assert.equal(p?.values.requests, x.count, `${key}: count`);
    assert.ok(Math.abs((p?.values.clients as number) - x.clients.size) <= 2, `${key}: clients`);
  }
}

describe('rollups folded in the ingest transaction (SQLite, while serve collects)', () => {
  let locator: string;
  let clock: ManualClock;
  const engines: Engine[] = [];

  /** An engine on the shared file; `collect` starts it as serve does, with catch-up timers far out. */
  async function open(collect: boolean): Promise<{ engine: Engine; rollups: Rollups }> {
    const def = createRollupsModule({ settleMs: 3_600_000, pollMs: 3_600_000 });
    const modules = [...BUILT_IN_MODULES.filter((m) => m.name !== 'rollups'), def];
    const engine = createEngine({
      config,
      store: await sqlite.open(locator),
      clock,
      logger: silentLogger,
      modules,
    });
    engines.push(engine);
    await engine.open();
    const rollups = engine.module(def);
    if (collect) {
      await engine.start({ collect: true });
      // start() runs one catch-up at once: let it finish so that only ingests move the cursor.
      await rollups.catchUp();
    }
    return { engine, rollups };
  }
  const status = async (r: Rollups) => (await r.status('by-path'))[0]!;

  beforeEach(async () => {
    locator = await sqlite.createDatabase();
    clock = createManualClock(H12 + 60_000);
  });
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.stop();
    await sqlite.dropDatabase(locator);
  });

  it('counts the inserted records when the ingest returns; a retried batch counts nothing', async () => {
    const { engine, rollups } = await open(true);
    const batch = [...gatewayEvents(1, 400, H10, 1), ...gatewayEvents(401, 300, H11, 2)];
    assert.equal((await engine.ingest('gateway-events', batch)).inserted, 700);
    let s = await status(rollups);
    assert.equal(s.applied, 700);
    assert.equal(s.pendingRecords, 0);
    await assertCounts(rollups, batch);

    assert.equal((await engine.ingest('gateway-events', batch)).inserted, 0);
    const late = gatewayEvents(701, 50, H10, 3);
    await engine.ingest('gateway-events', [...batch.slice(0, 100), ...late]);
    s = await status(rollups);
    assert.equal(s.applied, 750);
    assert.equal(s.pendingRecords, 0);
    await assertCounts(rollups, [...batch, ...late]);
    assert.equal((await rollups.catchUp())[0]?.applied, 0, 'nothing left for the cursor');
  });

  it('waits for the cursor while records of another process are not applied, then resumes', async () => {
    const serve = await open(true);
    const other = await open(false);
    const a = gatewayEvents(1, 200, H10, 4);
    const b = gatewayEvents(201, 200, H11, 5);
    const c = gatewayEvents(401, 200, H11, 6);
    await other.engine.ingest('gateway-events', a);
    await serve.engine.ingest('gateway-events', b);
    let s = await status(serve.rollups);
    assert.equal(s.applied, 0, 'b is not folded before a');
    assert.equal(s.pendingRecords, 400);
    assert.equal((await serve.rollups.catchUp())[0]?.applied, 400);
    await serve.engine.ingest('gateway-events', c);
    s = await status(serve.rollups);
    assert.equal(s.applied, 600);
    assert.equal(s.pendingRecords, 0);
    await assertCounts(serve.rollups, [...a, ...b, ...c]);
  });

  it('a fold that fails leaves the ingest stored and its records to the cursor', async () => {
    const { engine, rollups } = await open(true);
    const first = gatewayEvents(1, 300, H10, 7);
    await engine.ingest('gateway-events', first);
    // Damage the stored cells behind gapwarden's back: folding into them cannot decode them.
    const db = new Database(locator);
    db.prepare("UPDATE rollup_cells SET state = x'00'").run();
    db.close();
    const more = gatewayEvents(301, 100, H10, 8);
    assert.equal((await engine.ingest('gateway-events', more)).inserted, 100);
    const s = await status(rollups);
    assert.equal(s.applied, 300);
    assert.equal(s.pendingRecords, 100);
    await assert.rejects(rollups.catchUp('by-path'), /bucket/);
    await rollups.rebuild('by-path', H10, H12);
    assert.equal((await rollups.catchUp())[0]?.applied, 100);
    await assertCounts(rollups, [...first, ...more]);
  });
});

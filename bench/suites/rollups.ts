import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { compileConfig } from '../../src/config/compile-config.js';
import { createEngine } from '../../src/engine/engine.js';
import { silentLogger } from '../../src/internal/logger.js';
import { rollupsModule } from '../../src/rollups/rollups-module.js';
import { gatewayEvents } from '../../test/helpers/gateway-events.js';
import { type Figure, median, type SuiteResult, suite } from '../lib/report.js';

// Sizes: GAPWARDEN_BENCH_ROLLUP_EVENTS events in batches of GAPWARDEN_BENCH_ROLLUP_BATCH (one ingest call each).
const EVENTS = Number(process.env.GAPWARDEN_BENCH_ROLLUP_EVENTS ?? 200_000);
const BATCH = Number(process.env.GAPWARDEN_BENCH_ROLLUP_BATCH ?? 1000);
const ROUNDS = Number(process.env.GAPWARDEN_BENCH_ROLLUP_ROUNDS ?? 3);
const HOURS = 24;
const ADMIN_URL = process.env.GAPWARDEN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const T0 = Date.UTC(2026, 2, 1);

const ROLLUP = {
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
};

function makeEvents() {
  const per = Math.ceil(EVENTS / HOURS);
  const out = [];
  for (let h = 0; h < HOURS; h++)
    out.push(...gatewayEvents(1 + h * per, per, T0 + h * 3_600_000, h + 1, 20_000));
  return out.slice(0, EVENTS);
}

async function withPgDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const db = `gapwarden_bench_rollups_${process.pid}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${db}`);
  try {
    const u = new URL(ADMIN_URL);
    u.pathname = `/${db}`;
    return await fn(u.toString());
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

/**
 * Events/s from the first ingest call until every event is stored and, with
 * the rollup, counted: the engine as `serve` runs it (start({ collect: true })),
 * the rollup catching up on ingest events in the same process.
 */
async function ingestOnce(
  store: Record<string, string>,
  withRollup: boolean,
  events: ReturnType<typeof makeEvents>,
): Promise<number> {
  const config = compileConfig(
    {
      store,
      server: { enabled: false },
      datasets: { 'gateway-events': { partition: { sequence: { start: 1, horizon: false } } } },
      ...(withRollup ? { rollups: ROLLUP } : {}),
    },
    { env: {} },
  );
  const engine = createEngine({ config, logger: silentLogger });
  await engine.open();
  await engine.start({ collect: true });
  try {
    const t0 = performance.now();
    let inserted = 0;
    for (let i = 0; i < events.length; i += BATCH) {
      inserted += (await engine.ingest('gateway-events', events.slice(i, i + BATCH))).inserted;
    }
    if (withRollup) {
      const rollups = engine.module(rollupsModule);
      await rollups.catchUp();
      const [status] = await rollups.status('by-path');
      if (status?.applied !== events.length)
        throw new Error(`rollup applied ${status?.applied} of ${events.length}`);
    }
    const ms = performance.now() - t0;
    if (inserted !== events.length) throw new Error(`inserted ${inserted} of ${events.length}`);
    return (events.length / ms) * 1000;
  } finally {
    await engine.stop();
  }
}

async function compare(
  label: string,
  open: (fn: (store: Record<string, string>) => Promise<number>) => Promise<number>,
) {
  const events = makeEvents();
  const alone: number[] = [];
  const rolled: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side goes first so that warm-up and drift do not favour one.
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const withRollup of order) {
      const rate = await open((store) => ingestOnce(store, withRollup, events));
      (withRollup ? rolled : alone).push(rate);
    }
  }
  const value = median(rolled);
  const base = median(alone);
  const overhead = base / value - 1;
  const figure: Figure = {
    name: `${label}: ingest + hourly rollup (count, HLL of client, t-digest of latency), until counted`,
    value: Math.round(value),
    unit: 'events/s',
    baseline: { name: 'ingest alone', value: Math.round(base) },
    ratio: value / base,
    target: 'overhead <= 30% (ratio >= 0.77)',
    met: overhead <= 0.3,
  };
  const rounds = `${label} rounds, events/s (ingest alone / with the rollup): ${alone.map(Math.round).join(', ')} / ${rolled.map(Math.round).join(', ')}`;
  return { figure, overhead, rounds };
}

export async function runRollupsBench(): Promise<SuiteResult> {
  const figures: Figure[] = [];
  const notes: string[] = [
    `${EVENTS.toLocaleString('en-US')} gateway events over ${HOURS} hours, 5 paths, 20,000 clients, batches of ${BATCH} (one engine.ingest each); medians of ${ROUNDS} rounds per side, sides alternating; load average at start ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
    'each side: a fresh store, the engine started as serve starts it (collect: true); the rollup side stops the clock when the rollup has applied every event (cursor caught up), so the figure includes JSON.parse, aggregation, sketch merge and the cells written — on SQLite inside each ingest transaction (no read-back), on PostgreSQL after reading the records back through the cursor',
  ];
  const sqlite = await compare('SQLite', async (fn) => {
    const dir = mkdtempSync(join(tmpdir(), 'gapwarden-bench-rollups-'));
    try {
      return await fn({ sqlite: join(dir, 'store.db') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  figures.push(sqlite.figure);
  notes.push(`SQLite overhead ${(sqlite.overhead * 100).toFixed(1)}%`, sqlite.rounds);
  try {
    const postgres = await compare('PostgreSQL', (fn) => withPgDatabase((url) => fn({ postgres: url })));
    figures.push(postgres.figure);
    notes.push(`PostgreSQL overhead ${(postgres.overhead * 100).toFixed(1)}%`, postgres.rounds);
  } catch (err) {
    notes.push(`PostgreSQL side not run: ${err instanceof Error ? err.message : String(err)}`);
  }
  return suite('rollups', figures, notes);
}

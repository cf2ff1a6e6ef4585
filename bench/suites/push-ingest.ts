import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compileConfig } from '../../src/config/compile-config.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { silentLogger } from '../../src/internal/logger.js';
import { startHttpServer } from '../../src/server/http-server.js';
import { sqliteStoreFiles } from '../../src/store/sqlite/sqlite-store-file.js';
import { type BenchRecord, makeBenchRecords, type PushRun, pushRecords } from '../lib/push-client.js';
import { type Figure, median, percentile, type SuiteResult, suite } from '../lib/report.js';

const ROWS = 200_000;
const BATCH = 1_000;
const ROUNDS = 3;
/** Requests in flight at once, as a few producers pushing to one gapwarden would keep. */
const IN_FLIGHT = 4;
const TOKEN = 'bench-token-0123456789abcdef';
const CLIENT = join(import.meta.dirname, '..', 'lib', 'push-client.ts');

type Side = 'direct' | 'http-child' | 'http-same';

async function openEngine(file: string): Promise<Engine> {
  const config = compileConfig(
    {
      store: { sqlite: file },
      server: { port: 0, token: TOKEN },
      datasets: { bench: { partition: { sequence: { start: 0 } } } },
    },
    { env: {} },
  );
  const engine = createEngine({ config, logger: silentLogger });
  await engine.open();
  return engine;
}

/** Direct library ingest: `engine.ingest` with batches of 1,000, one at a time. */
async function viaLibrary(engine: Engine, records: BenchRecord[]): Promise<PushRun> {
  const t0 = performance.now();
  let inserted = 0;
  for (let i = 0; i < ROWS; i += BATCH)
    inserted += (await engine.ingest('bench', records.slice(i, i + BATCH))).inserted;
  return { inserted, ms: performance.now() - t0, latencies: [] };
}

/**
 * Push ingest over loopback HTTP, JSON arrays of 1,000 POSTed with the bearer
 * token. `http-child`: the producer is another process, as in a deployment.
 * `http-same`: the producer shares gapwarden's process and thread, so its JSON
 * encoding and socket work are counted against HTTP too.
 */
async function viaHttp(engine: Engine, side: Side, records: BenchRecord[]): Promise<PushRun> {
  const http = await startHttpServer({ engine, server: engine.config.server, version: 'bench' });
  const url = `${http.url}/api/datasets/bench/records`;
  try {
    if (side === 'http-same')
      return await pushRecords({ url, token: TOKEN, records, batch: BATCH, inFlight: IN_FLIGHT });
    const args = ['--import', 'tsx', CLIENT, url, TOKEN, String(ROWS), String(BATCH), String(IN_FLIGHT)];
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 64 << 20 });
    return JSON.parse(stdout) as PushRun;
  } finally {
    await http.close();
  }
}

export async function runPushIngestBench(): Promise<SuiteResult> {
  const records = makeBenchRecords(ROWS);
  const rates: Record<Side, number[]> = { direct: [], 'http-child': [], 'http-same': [] };
  const latencies: Record<Side, number[]> = { direct: [], 'http-child': [], 'http-same': [] };
  const order: Side[] = ['direct', 'http-child', 'http-same'];
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so no side always runs on a warmer machine.
    for (const side of [...order.slice(round % 3), ...order.slice(0, round % 3)]) {
      const file = join(tmpdir(), `gapwarden-bench-push-${process.pid}-${side}.db`);
      for (const f of sqliteStoreFiles(file)) rmSync(f, { force: true });
      const engine = await openEngine(file);
      const run =
        side === 'direct' ? await viaLibrary(engine, records) : await viaHttp(engine, side, records);
      await engine.stop();
      for (const f of sqliteStoreFiles(file)) rmSync(f, { force: true });
      if (run.inserted !== ROWS) throw new Error(`${side} inserted ${run.inserted} of ${ROWS}`);
      rates[side].push((ROWS / run.ms) * 1000);
      latencies[side].push(...run.latencies);
    }
  }
  const direct = median(rates.direct);
  const baseline = {
    name: `direct engine.ingest, batches of ${BATCH.toLocaleString('en-US')}`,
    value: direct,
  };
  const httpFigure = (side: Side, who: string): Figure => {
    const value = median(rates[side]);
    return {
      name: `push ingest over loopback HTTP, ${who} (JSON arrays of ${BATCH.toLocaleString('en-US')}, ${IN_FLIGHT} in flight)`,
      value,
      unit: 'records/s',
      baseline,
      ratio: value / direct,
      target: '>= 0.60 of direct',
      met: value / direct >= 0.6,
    };
  };
  const figures: Figure[] = [
    httpFigure('http-child', 'producer in another process'),
    {
      name: 'push request latency p50 (producer in another process)',
      value: percentile(latencies['http-child'], 50),
      unit: 'ms',
    },
    {
      name: 'push request latency p99 (producer in another process)',
      value: percentile(latencies['http-child'], 99),
      unit: 'ms',
    },
    httpFigure('http-same', 'producer in the same process and thread'),
    {
      name: 'push request latency p99 (producer in the same process)',
      value: percentile(latencies['http-same'], 99),
      unit: 'ms',
    },
  ];
  return suite('push-ingest', figures, [
    `${ROWS.toLocaleString('en-US')} new records of ~100-byte JSON payloads per round, SQLite store, medians of ${ROUNDS} rotated rounds`,
    `rounds: ${order.map((s) => `${s} ${rates[s].map(Math.round).join(', ')}`).join('; ')}`,
    'the producer uses node:http with a keep-alive agent; the machine has 2 cores, so a separate producer process gets the second one',
  ]);
}

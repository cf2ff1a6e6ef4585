import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { compileConfig } from '../../src/config/compile-config.js';
import { createEngine } from '../../src/engine/engine.js';
import { silentLogger } from '../../src/internal/logger.js';
import { type Figure, median, type SuiteResult, suite } from '../lib/report.js';

const ROWS = 1_000_000;
const BATCH = 10_000;
const ROUNDS = 3;

function makeRecords(): { key: string; partition: number; payload: Record<string, unknown> }[] {
  return Array.from({ length: ROWS }, (_, i) => ({
    key: `k${i}`,
    partition: i,
    payload: { id: i, name: `station-${i % 977}`, value: (i * 31) % 1000, at: 1_700_000_000 + i, ok: true },
  }));
}

async function viaGapwarden(file: string, records: ReturnType<typeof makeRecords>): Promise<number> {
  const config = compileConfig(
    { store: { sqlite: file }, datasets: { bench: { partition: { sequence: { start: 0 } } } } },
    { env: {} },
  );
  const engine = createEngine({ config, logger: silentLogger });
  await engine.open();
  const t0 = performance.now();
  let inserted = 0;
  for (let i = 0; i < ROWS; i += BATCH)
    inserted += (await engine.ingest('bench', records.slice(i, i + BATCH))).inserted;
  const ms = performance.now() - t0;
  await engine.stop();
  if (inserted !== ROWS) throw new Error(`gapwarden inserted ${inserted} of ${ROWS}`);
  return (ROWS / ms) * 1000;
}

/** The fastest raw way found here: multi-row INSERT OR IGNORE ... RETURNING, 100 rows a statement, 10k-row transactions. */
async function viaRawDriver(file: string, records: ReturnType<typeof makeRecords>): Promise<number> {
  // Same schema as gapwarden's store (created by its migrations), so only the driver path differs.
  const config = compileConfig(
    { store: { sqlite: file }, datasets: { bench: { partition: { sequence: { start: 0 } } } } },
    { env: {} },
  );
  const engine = createEngine({ config, logger: silentLogger });
  await engine.open();
  await engine.stop();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const datasetId = (db.prepare('SELECT id FROM datasets WHERE name = ?').get('bench') as { id: number }).id;
  const CHUNK = 100;
  const sql = `INSERT OR IGNORE INTO records (dataset_id, key, ordinal, payload, source, ingested_at, updated_at) VALUES ${Array(CHUNK).fill('(?,?,?,?,?,?,?)').join(',')} RETURNING key`;
  const stmt = db.prepare(sql).raw();
  const t0 = performance.now();
  let inserted = 0;
  const now = Date.now();
  const tx = db.transaction((from: number) => {
    for (let c = from; c < from + BATCH; c += CHUNK) {
      const params: unknown[] = [];
      for (let i = c; i < c + CHUNK; i++) {
        const r = records[i]!;
        params.push(datasetId, r.key, r.partition, JSON.stringify(r.payload), null, now, now);
      }
      inserted += stmt.all(...params).length;
    }
  });
  for (let i = 0; i < ROWS; i += BATCH) tx(i);
  const ms = performance.now() - t0;
  db.close();
  if (inserted !== ROWS) throw new Error(`raw inserted ${inserted} of ${ROWS}`);
  return (ROWS / ms) * 1000;
}

export async function runIngestBench(): Promise<SuiteResult> {
  const records = makeRecords();
  const ours: number[] = [];
  const raw: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so neither side always runs on a warmer machine.
    for (const side of round % 2 ? ['raw', 'ours'] : ['ours', 'raw']) {
      const file = join(tmpdir(), `gapwarden-bench-ingest-${process.pid}-${side}.db`);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      if (side === 'ours') ours.push(await viaGapwarden(file, records));
      else raw.push(await viaRawDriver(file, records));
      for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    }
  }
  const o = median(ours);
  const r = median(raw);
  const figures: Figure[] = [
    {
      name: 'idempotent ingest through gapwarden (10k batches, knows new keys, updates coverage)',
      value: o,
      unit: 'rows/s',
      baseline: { name: 'raw better-sqlite3 multi-row INSERT OR IGNORE ... RETURNING', value: r },
      ratio: o / r,
      target: '>= 0.70 of raw',
      met: o / r >= 0.7,
    },
  ];
  return suite('ingest-sqlite', figures, [
    `${ROWS.toLocaleString('en-US')} rows of ~100-byte JSON payloads, medians of ${ROUNDS} alternating rounds`,
    `rounds: gapwarden ${ours.map(Math.round).join(', ')}; raw ${raw.map(Math.round).join(', ')}`,
  ]);
}

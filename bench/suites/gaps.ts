import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { compileConfig } from '../../src/config/compile-config.js';
import { DatasetCoverage } from '../../src/coverage/dataset-coverage.js';
import { createPartitioning } from '../../src/domain/create-partitioning.js';
import { RangeSet } from '../../src/domain/range-set.js';
import { createEngine } from '../../src/engine/engine.js';
import { silentLogger } from '../../src/internal/logger.js';
import { sqliteStoreFiles } from '../../src/store/sqlite/sqlite-store-file.js';
import { type Figure, median, type SuiteResult, suite } from '../lib/report.js';

const PARTITIONS = 10_000_000;
const HOLE_EVERY = 1000; // ordinal % 1000 == 500 is missing: 10,000 holes
const ROUNDS = 3;

/** The query hand-written gap detectors use. */
const LEAD_SQL = `SELECT ordinal + 1 AS gap_from, next - 1 AS gap_to FROM (
  SELECT ordinal, LEAD(ordinal) OVER (ORDER BY ordinal) AS next FROM records WHERE dataset_id = ?
) WHERE next - ordinal > 1`;

function listingFigure(): Figure {
  const present = new RangeSet();
  for (let start = 0; start < PARTITIONS; start += HOLE_EVERY) {
    present.addRange(start, Math.min(PARTITIONS - 1, start + 499));
    present.addRange(start + 501, Math.min(PARTITIONS - 1, start + HOLE_EVERY - 1));
  }
  const cov = new DatasetCoverage(createPartitioning({ sequence: { start: 0 } }), present);
  const times: number[] = [];
  let gaps = 0;
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    gaps = cov.gaps().length;
    times.push(performance.now() - t0);
  }
  if (gaps !== PARTITIONS / HOLE_EVERY)
    throw new Error(`expected ${PARTITIONS / HOLE_EVERY} gaps, found ${gaps}`);
  const v = median(times);
  return {
    name: 'gap listing from coverage (10M partitions, 10k holes)',
    value: v,
    unit: 'ms',
    target: '< 10 ms',
    met: v < 10,
  };
}

/** A 10M-row store, built once and kept in the temp folder for later runs. */
async function bigStore(): Promise<string> {
  const file = join(tmpdir(), 'gapwarden-bench-10m-v1.db');
  if (existsSync(file)) return file;
  const config = compileConfig(
    { store: { sqlite: `${file}.tmp` }, datasets: { big: { partition: { sequence: { start: 0 } } } } },
    { env: {} },
  );
  for (const f of sqliteStoreFiles(`${file}.tmp`)) rmSync(f, { force: true });
  const engine = createEngine({ config, logger: silentLogger });
  await engine.open();
  await engine.stop();
  const db = new Database(`${file}.tmp`);
  db.pragma('journal_mode = WAL');
  const id = (db.prepare('SELECT id FROM datasets WHERE name = ?').get('big') as { id: number }).id;
  console.error('building a 10M-row SQLite store for the gaps suite (once; cached in the temp folder)...');
  db.prepare(
    `WITH RECURSIVE c(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM c WHERE x < ${PARTITIONS - 1})
     INSERT INTO records (dataset_id, key, ordinal, payload, source, ingested_at, updated_at)
     SELECT ?, printf('%08d', x), x, '{}', NULL, 0, 0 FROM c WHERE x % ${HOLE_EVERY} != 500`,
  ).run(id);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const { renameSync } = await import('node:fs');
  renameSync(`${file}.tmp`, file);
  for (const f of sqliteStoreFiles(`${file}.tmp`)) rmSync(f, { force: true });
  return file;
}

export async function runGapsBench(): Promise<SuiteResult> {
  const figures: Figure[] = [listingFigure()];
  const file = await bigStore();
  const config = compileConfig(
    { store: { sqlite: file }, datasets: { big: { partition: { sequence: { start: 0 } } } } },
    { env: {} },
  );
  const ours: number[] = [];
  const lead: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const engine = createEngine({ config, logger: silentLogger });
    await engine.open(); // includes one reconcile; the timed one below is a second, warm one
    const t0 = performance.now();
    const [r] = await engine.reconcile('big');
    const gaps = engine.dataset('big').coverage.gaps().length;
    ours.push(performance.now() - t0);
    await engine.stop();
    if (gaps !== PARTITIONS / HOLE_EVERY || r?.present !== PARTITIONS - gaps)
      throw new Error(`reconcile found ${gaps} gaps`);

    const db = new Database(file, { readonly: true });
    const id = (db.prepare('SELECT id FROM datasets WHERE name = ?').get('big') as { id: number }).id;
    const t1 = performance.now();
    const rows = db.prepare(LEAD_SQL).all(id);
    lead.push(performance.now() - t1);
    db.close();
    if (rows.length !== PARTITIONS / HOLE_EVERY) throw new Error(`LEAD found ${rows.length} gaps`);
  }
  const o = median(ours);
  const l = median(lead);
  figures.push({
    name: 'full reconcile of coverage from 10M stored records + gap listing',
    value: o,
    unit: 'ms',
    baseline: { name: 'SQL LEAD window query over the same table', value: l },
    ratio: l / o,
    target: '>= 3x faster than LEAD and < 2500 ms',
    met: l / o >= 3 && o < 2500,
  });
  return suite('gaps', figures, [
    `ratio for reconcile = LEAD ms / gapwarden ms (speed-up); medians of ${ROUNDS} rounds`,
    `reconcile rounds ms: ${ours.map(Math.round).join(', ')}; LEAD rounds ms: ${lead.map(Math.round).join(', ')}`,
  ]);
}

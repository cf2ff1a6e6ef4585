import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileConfig } from '../../src/config/compile-config.js';
import { DatasetCoverage } from '../../src/coverage/dataset-coverage.js';
import { GapDetections } from '../../src/coverage/gap-detections.js';
import { createPartitioning } from '../../src/domain/create-partitioning.js';
import type { DatasetRuntime } from '../../src/ingest/dataset-runtime.js';
import { createIngestor } from '../../src/ingest/ingestor.js';
import { systemClock } from '../../src/internal/clock.js';
import { createEventBus } from '../../src/internal/events.js';
import { silentLogger } from '../../src/internal/logger.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { type Figure, median, type SuiteResult, suite } from '../lib/report.js';

const N = 2_000_000;
/** Records ingested one per call on the store path, per side and round. */
const STORED = 5_000;
const ROUNDS = 5;

/**
 * Cost of the continuity check that runs on every stored record: alone (pure,
 * vs a plain loop over the same ordinals), and on the real insert path, where
 * each gap it opens is confirmed with a read of the store.
 */
export async function runContinuityBench(): Promise<SuiteResult> {
  const pure = pureCheck();
  const stored = await insertPath();
  const figures: Figure[] = [
    {
      name: 'continuity check per stored record (DatasetCoverage.add, one record per call)',
      value: pure.perRecord,
      unit: 'ns/record',
      baseline: { name: 'plain loop tracking the max', value: pure.plain },
      ratio: pure.perRecord / pure.plain,
      target: '< 2000 ns',
      met: pure.perRecord < 2000,
    },
    {
      name: 'insert path, one record per ingest call, each record opening a gap (continuity check + the store read confirming the gap)',
      value: stored.gapEach,
      unit: 'µs/record',
      baseline: { name: 'the same calls, records in order (no gap)', value: stored.inOrder },
      ratio: stored.gapEach / stored.inOrder,
    },
    {
      name: 'the store read confirming one opened gap (listRecords, limit 1, before the new record)',
      value: stored.confirmRead,
      unit: 'µs/read',
    },
  ];
  return suite('continuity', figures, [
    `pure: ${N.toLocaleString('en-US')} in-order records, a gap every 1,000; ${pure.opened} gaps opened per round; medians of ${ROUNDS} rounds`,
    `insert path: createIngestor over a SQLite file store (durability normal, so the figure is not one fsync per call), ${STORED.toLocaleString('en-US')} records per side and round, one record per ingest call (one transaction each); sides alternate order; medians of ${ROUNDS} rounds`,
    `insert path rounds, gap each (µs/record): ${stored.rounds.gapEach.map((v) => v.toFixed(1)).join(', ')}; in order: ${stored.rounds.inOrder.map((v) => v.toFixed(1)).join(', ')}`,
  ]);
}

function pureCheck(): { perRecord: number; plain: number; opened: number } {
  // In-order arrivals with a skipped partition every 1,000 (each opens a gap).
  const ordinals = new Float64Array(N);
  for (let i = 0, o = 0; i < N; i++, o++) {
    if (i % 1000 === 999) o++;
    ordinals[i] = o;
  }
  const perRecord: number[] = [];
  const plain: number[] = [];
  let opened = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const cov = new DatasetCoverage(createPartitioning({ sequence: {} }));
    const one = [0];
    let t0 = performance.now();
    for (let i = 0; i < N; i++) {
      one[0] = ordinals[i]!;
      opened += cov.add(one).opened.length;
    }
    perRecord.push(((performance.now() - t0) * 1e6) / N);
    // Floor: a loop that only tracks the max and notices a jump.
    let max = -1;
    let jumps = 0;
    t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const n = ordinals[i]!;
      if (n > max + 1 && max >= 0) jumps++;
      if (n > max) max = n;
    }
    plain.push(((performance.now() - t0) * 1e6) / N);
    if (jumps === 0) throw new Error('no gaps seen');
  }
  return { perRecord: median(perRecord), plain: median(plain), opened: opened / ROUNDS };
}

/** One record per ingest call into a fresh SQLite store: in order, or each one past a skipped partition. */
async function insertPath() {
  const dir = mkdtempSync(join(tmpdir(), 'gapwarden-bench-continuity-'));
  const config = compileConfig(
    { store: { sqlite: join(dir, 'unused.db') }, datasets: { draws: { partition: { sequence: {} } } } },
    { env: {} },
  );
  const ds = config.datasets[0]!;
  const rounds = { gapEach: [] as number[], inOrder: [] as number[], read: [] as number[] };
  let file = 0;
  const side = async (step: 1 | 2): Promise<number> => {
    const store = createSqliteStore({ path: join(dir, `side${++file}.db`), durability: 'normal' });
    await store.migrate();
    await store.ensureDataset(ds.name);
    const rt: DatasetRuntime = {
      config: ds,
      coverage: new DatasetCoverage(ds.partitioning),
      source: undefined,
      detections: new GapDetections(),
    };
    const ingestor = createIngestor({
      store,
      events: createEventBus(),
      logger: silentLogger,
      clock: systemClock,
    });
    let gaps = 0;
    const t0 = performance.now();
    for (let i = 0; i < STORED; i++) {
      const p = i * step;
      const result = await ingestor.ingest(
        rt,
        [{ key: String(p), partition: p, payload: { p } }],
        null,
        'ingest',
      );
      gaps += result.gapsOpened.length;
    }
    const us = ((performance.now() - t0) * 1000) / STORED;
    if (gaps !== (step === 2 ? STORED - 1 : 0)) throw new Error(`expected a gap per record, saw ${gaps}`);
    if (step === 2) rounds.read.push(await confirmReads(store, ds.name));
    await store.close();
    return us;
  };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        rounds.gapEach.push(await side(2));
        rounds.inOrder.push(await side(1));
      } else {
        rounds.inOrder.push(await side(1));
        rounds.gapEach.push(await side(2));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    gapEach: median(rounds.gapEach),
    inOrder: median(rounds.inOrder),
    confirmRead: median(rounds.read),
    rounds,
  };
}

/** The read confirmGaps makes for a one-partition gap, alone: µs per read over the stored records. */
async function confirmReads(store: Store, dataset: string): Promise<number> {
  const t0 = performance.now();
  for (let i = 1; i < STORED; i++) await store.listRecords(dataset, { limit: 1, beforeOrdinal: 2 * i });
  return ((performance.now() - t0) * 1000) / (STORED - 1);
}

import type { CompiledMeasure } from '../../src/config/compiled-rollups.js';
import { HyperLogLog, hllStandardError } from '../../src/domain/sketches/hyperloglog.js';
import {
  clientAddress,
  exactQuantile,
  latencies,
  rankOf,
} from '../../src/domain/sketches/sketch-test-data.js';
import { TDigest } from '../../src/domain/sketches/t-digest.js';
import { BucketState } from '../../src/rollups/bucket-state.js';
import { type Figure, median, type SuiteResult, suite } from '../lib/report.js';

// 1M values, as the issue asks; GAPWARDEN_BENCH_SKETCH_VALUES to change it.
const VALUES = Number(process.env.GAPWARDEN_BENCH_SKETCH_VALUES ?? 1_000_000);
const ROUNDS = 3;

function rate(run: () => void): number {
  const t0 = performance.now();
  run();
  return (VALUES / (performance.now() - t0)) * 1000;
}

/**
 * Sketch adds per second through the rollup's bucket state (what the rollup
 * runs per record: field lookup, type check, add) vs the raw sketch loop over
 * the same values, alternating sides per round; and accuracy at 1M values.
 */
export async function runSketchesBench(): Promise<SuiteResult> {
  const clients = Array.from({ length: VALUES }, (_, i) => clientAddress(i, i >>> 16));
  const lat = latencies(VALUES, 42);
  const payloads = clients.map((client, i) => ({ client, latency_ms: lat[i] }));
  const unique: CompiledMeasure[] = [{ name: 'clients', kind: 'unique', field: 'client', precision: 14 }];
  const quant: CompiledMeasure[] = [
    { name: 'latency', kind: 'quantiles', field: 'latency_ms', compression: 200 },
  ];

  const rawHll: number[] = [];
  const bucketHll: number[] = [];
  const rawTd: number[] = [];
  const bucketTd: number[] = [];
  let hll = new HyperLogLog(14);
  let td = new TDigest(200);
  for (let round = 0; round < ROUNDS; round++) {
    rawHll.push(
      rate(() => {
        hll = new HyperLogLog(14);
        for (let i = 0; i < VALUES; i++) hll.add(clients[i] as string);
      }),
    );
    bucketHll.push(
      rate(() => {
        const b = new BucketState(unique);
        for (let i = 0; i < VALUES; i++) b.add(payloads[i] as Record<string, unknown>);
      }),
    );
    rawTd.push(
      rate(() => {
        td = new TDigest(200);
        for (let i = 0; i < VALUES; i++) td.add(lat[i] as number);
        td.quantile(0.5);
      }),
    );
    bucketTd.push(
      rate(() => {
        const b = new BucketState(quant);
        for (let i = 0; i < VALUES; i++) b.add(payloads[i] as Record<string, unknown>);
        b.rankValue('latency', 0.5);
      }),
    );
  }
  const figures: Figure[] = [];
  const side = (name: string, value: number, baseName: string, base: number): Figure => ({
    name,
    value: Math.round(value),
    unit: 'adds/s',
    baseline: { name: baseName, value: Math.round(base) },
    ratio: value / base,
    target: '>= 0.80 of the raw loop',
    met: value / base >= 0.8,
  });
  figures.push(
    side(
      'HyperLogLog p=14 adds through the rollup bucket',
      median(bucketHll),
      'raw HyperLogLog.add loop',
      median(rawHll),
    ),
  );
  figures.push(
    side(
      't-digest δ=200 adds through the rollup bucket',
      median(bucketTd),
      'raw TDigest.add loop',
      median(rawTd),
    ),
  );

  const estimate = hll.estimate();
  figures.push({
    name: `HyperLogLog p=14 relative error at ${VALUES.toLocaleString('en-US')} distinct clients`,
    value: Math.abs(estimate / VALUES - 1) * 100,
    unit: '%',
    target: `within 3 standard errors (${(3 * hllStandardError(14) * 100).toFixed(2)}%)`,
    met: Math.abs(estimate / VALUES - 1) <= 3 * hllStandardError(14),
  });
  const sorted = Float64Array.from(lat).sort();
  for (const q of [0.5, 0.95, 0.99, 0.999]) {
    const est = td.quantile(q);
    const exact = exactQuantile(sorted, q);
    figures.push({
      name: `t-digest δ=200 p${q * 100} value error at ${VALUES.toLocaleString('en-US')} latencies (rank error ${Math.abs(rankOf(sorted, est) - q).toExponential(1)})`,
      value: Math.abs(est / exact - 1) * 100,
      unit: '%',
    });
  }
  return suite('sketches', figures, [
    `${VALUES.toLocaleString('en-US')} values, medians of ${ROUNDS} rounds per side, sides alternating in one process`,
    'bucket side: BucketState.add(payload) per record (field lookup, type check, sketch add) with one unique or one quantiles measure; raw side: sketch.add(value) over the same values',
    'clients: distinct IPv4-like strings; latencies: log-normal (median ~20 ms), 3 decimals',
  ]);
}

import { DatasetCoverage } from '../../src/coverage/dataset-coverage.js';
import { createPartitioning } from '../../src/domain/create-partitioning.js';
import { type Figure, median, type SuiteResult, suite } from '../lib/report.js';

const N = 2_000_000;

/** Cost of the continuity check that runs on every stored record, vs a plain loop over the same ordinals. */
export async function runContinuityBench(): Promise<SuiteResult> {
  // In-order arrivals with a skipped partition every 1,000 (each opens a gap).
  const ordinals = new Float64Array(N);
  for (let i = 0, o = 0; i < N; i++, o++) {
    if (i % 1000 === 999) o++;
    ordinals[i] = o;
  }
  const perRecord: number[] = [];
  const plain: number[] = [];
  let opened = 0;
  for (let round = 0; round < 5; round++) {
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
  const v = median(perRecord);
  const figures: Figure[] = [
    {
      name: 'continuity check per stored record (DatasetCoverage.add, one record per call)',
      value: v,
      unit: 'ns/record',
      baseline: { name: 'plain loop tracking the max', value: median(plain) },
      ratio: v / median(plain),
      target: '< 2000 ns',
      met: v < 2000,
    },
  ];
  return suite('continuity', figures, [
    `${N.toLocaleString('en-US')} in-order records, a gap every 1,000; ${opened / 5} gaps opened per round; medians of 5 rounds`,
  ]);
}

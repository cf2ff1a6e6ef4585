import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RangeSet } from '../domain/range-set.js';
import { type RangeRunLimits, splitIntoRuns } from './range-runs.js';

const items = (...ordinals: number[]) => ordinals.map((ordinal) => ({ ordinal }));
const runsOf = (ordinals: number[], limits: RangeRunLimits) =>
  splitIntoRuns(items(...ordinals), limits).map((run) => run.map((i) => i.ordinal));

/** A sequence: every ordinal expected; `present` stored. */
const sequence = (rangeSize: number, present: RangeSet = new RangeSet()): RangeRunLimits => ({
  rangeSize,
  countPresent: (a, b) => present.countIn(a, b),
  countExpected: (a, b) => b - a + 1,
});

describe('splitIntoRuns', () => {
  it('keeps adjacent partitions in one run up to rangeSize', () => {
    const ordinals = Array.from({ length: 250 }, (_, i) => 10 + i);
    const runs = runsOf(ordinals, sequence(100));
    assert.deepEqual(
      runs.map((r) => [r[0], r[r.length - 1], r.length]),
      [
        [10, 109, 100],
        [110, 209, 100],
        [210, 259, 50],
      ],
    );
  });

  it('spans partitions that are not claimed but counts them against rangeSize', () => {
    assert.deepEqual(runsOf([1, 2, 5, 9, 10], sequence(10)), [[1, 2, 5, 9, 10]]);
    assert.deepEqual(runsOf([1, 2, 5, 9, 11], sequence(10)), [[1, 2, 5, 9], [11]]);
  });

  it('ends a run before a stored partition', () => {
    const present = RangeSet.fromRanges([[4, 4]]);
    assert.deepEqual(runsOf([1, 2, 3, 5, 6], sequence(100, present)), [
      [1, 2, 3],
      [5, 6],
    ]);
  });

  it('counts only expected partitions where the partitioning skips ordinals (weekends, cron)', () => {
    // Trading days: ordinals 5 and 6 of each week of 7 are not expected.
    const weekdays: RangeRunLimits = {
      rangeSize: 5,
      countPresent: () => 0,
      countExpected: (a, b) => {
        let n = 0;
        for (let o = a; o <= b; o++) if (o % 7 < 5) n++;
        return n;
      },
    };
    assert.deepEqual(runsOf([3, 4, 7, 8, 9, 10], weekdays), [[3, 4, 7, 8, 9], [10]]);
  });

  it('returns nothing for nothing, and single items alone', () => {
    assert.deepEqual(runsOf([], sequence(100)), []);
    assert.deepEqual(runsOf([5], sequence(1)), [[5]]);
    assert.deepEqual(runsOf([5, 6], sequence(1)), [[5], [6]]);
  });
});

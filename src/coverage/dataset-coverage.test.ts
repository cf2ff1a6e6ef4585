import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPartitioning } from '../domain/create-partitioning.js';
import { RangeSet } from '../domain/range-set.js';
import { DatasetCoverage } from './dataset-coverage.js';

const seq = (start?: number) => createPartitioning({ sequence: start === undefined ? {} : { start } });

describe('DatasetCoverage', () => {
  it('opens a gap the moment a record beyond the next one arrives', () => {
    const c = new DatasetCoverage(seq());
    assert.deepEqual(c.add([10, 11]).opened, []);
    const change = c.add([15]);
    assert.deepEqual(change.opened, [[12, 14]]);
    assert.deepEqual(c.gaps(), [[12, 14]]);
  });

  it('closes a gap when the missing record arrives late', () => {
    const c = new DatasetCoverage(seq());
    c.add([1, 4]);
    const change = c.add([2, 3]);
    assert.deepEqual(change.closed, [2, 3]);
    assert.deepEqual(change.opened, []);
    assert.deepEqual(c.gaps(), []);
  });

  it('knows gaps before the first record only when the start is configured', () => {
    // Ordinals count from the start: 3001 is ordinal 0, 3005 is ordinal 4.
    const withStart = new DatasetCoverage(seq(3001));
    assert.deepEqual(withStart.add([4]).opened, [[0, 3]]);
    const without = new DatasetCoverage(seq());
    assert.deepEqual(without.add([3005]).opened, []);
  });

  it('widens the window backwards for an older record when no start is set', () => {
    const c = new DatasetCoverage(seq());
    c.add([10]);
    assert.deepEqual(c.add([7]).opened, [[8, 9]]);
  });

  it('leaves known-missing partitions out of gaps and counts them as covered', () => {
    const c = new DatasetCoverage(seq(), RangeSet.fromSorted([1, 2, 5]), RangeSet.fromSorted([3]));
    assert.deepEqual(c.gaps(), [[4, 4]]);
    const s = c.summary();
    assert.equal(s.present, 3);
    assert.equal(s.knownMissing, 1);
    assert.equal(s.missing, 1);
    assert.equal(s.expected, 5);
  });

  it('does not report a duplicate as a change', () => {
    const c = new DatasetCoverage(seq());
    c.add([1, 2, 3]);
    assert.deepEqual(c.add([2]), { opened: [], closed: [] });
  });

  it('skips excluded calendar days when opening gaps', () => {
    const p = createPartitioning({
      calendar: { every: '1d', timezone: 'UTC', exclude: { weekdays: [0, 6] } },
    });
    const c = new DatasetCoverage(p);
    const fri = p.toOrdinal('2026-11-20') as number;
    const tue = p.toOrdinal('2026-11-24') as number;
    c.add([fri]);
    const opened = c.add([tue]).opened;
    // Saturday and Sunday are not expected; only Monday is missing.
    assert.deepEqual(opened, [[tue - 1, tue - 1]]);
  });

  it('lists gaps within a sub-range', () => {
    const c = new DatasetCoverage(seq(), RangeSet.fromSorted([0, 5, 10, 20]));
    assert.deepEqual(c.gaps(6, 12), [
      [6, 9],
      [11, 12],
    ]);
  });
});

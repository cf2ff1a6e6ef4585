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

describe('DatasetCoverage: large gaps and the sources newest partition', () => {
  it('takes the first ordinals of a 9e15-partition gap without listing it', () => {
    const c = new DatasetCoverage(seq(0));
    c.add([0, 9_000_000_000_000_000]);
    const first = c.takeGaps(0, 9_000_000_000_000_000, 5);
    assert.deepEqual(first, { ordinals: [1, 2, 3, 4, 5], through: 5 });
    const next = c.takeGaps(first.through + 1, 9_000_000_000_000_000, 3);
    assert.deepEqual(next, { ordinals: [6, 7, 8], through: 8 });
  });

  it('skips present, known-missing and unexpected partitions, and reports the range end when it runs out', () => {
    const weekdays = new DatasetCoverage(
      createPartitioning({ calendar: { every: '1d', timezone: 'UTC', exclude: { weekdays: [0, 6] } } }),
    );
    const day = (d: string) => weekdays.partitioning.toOrdinal(d) as number;
    weekdays.add([day('2026-11-02'), day('2026-11-13')]); // Monday .. Friday a week later
    weekdays.addKnownMissing([day('2026-11-04')]);
    const taken = weekdays.takeGaps(day('2026-11-02'), day('2026-11-13'), 100);
    assert.deepEqual(
      taken.ordinals.map((o) => weekdays.partitioning.valueOf(o)),
      ['2026-11-03', '2026-11-05', '2026-11-06', '2026-11-09', '2026-11-10', '2026-11-11', '2026-11-12'],
    );
    assert.equal(taken.through, day('2026-11-13'));
    assert.deepEqual(weekdays.takeGaps(day('2026-11-02'), day('2026-11-13'), 0).ordinals, []);
  });

  it('says a "not found" is final only once the sources delivered a newer partition', () => {
    const c = new DatasetCoverage(seq(1));
    assert.equal(c.notFoundIsFinal(5, 0), undefined, 'a sequence cannot tell before any delivery');
    assert.equal(c.noteSourceNewest(9), true);
    assert.equal(c.noteSourceNewest(4), false, 'the newest is kept');
    assert.equal(c.notFoundIsFinal(9, 0), true);
    assert.equal(c.notFoundIsFinal(10, 0), false);
    c.reset(new RangeSet(), new RangeSet(), null);
    assert.equal(c.sourceNewest, undefined);
  });

  it('judges a calendar partition by whether it is due while the sources delivered nothing', () => {
    const daily = new DatasetCoverage(createPartitioning({ calendar: { every: '1d', timezone: 'UTC' } }));
    const day = (d: string) => daily.partitioning.toOrdinal(d) as number;
    const now = Date.parse('2026-11-20T12:00:00Z');
    assert.equal(daily.notFoundIsFinal(day('2026-11-20'), now), true);
    assert.equal(daily.notFoundIsFinal(day('2026-11-21'), now), false);
    daily.noteSourceNewest(day('2026-11-18'));
    assert.equal(
      daily.notFoundIsFinal(day('2026-11-20'), now),
      false,
      'the source has not published that far',
    );
  });
});

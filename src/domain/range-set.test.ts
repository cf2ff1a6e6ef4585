import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RangeSet } from './range-set.js';

describe('RangeSet.add', () => {
  test('in-order values extend one range and a gap starts a new one', () => {
    const s = new RangeSet();
    assert.equal(s.add(1), true);
    assert.equal(s.add(2), true);
    assert.equal(s.add(3), true);
    assert.equal(s.add(5), true);
    assert.deepEqual(s.ranges(), [
      [1, 3],
      [5, 5],
    ]);
    assert.equal(s.size, 4);
    assert.equal(s.rangeCount, 2);
  });

  test('a duplicate returns false and changes nothing', () => {
    const s = RangeSet.fromRanges([
      [1, 3],
      [7, 9],
    ]);
    for (const n of [1, 2, 3, 7, 9]) assert.equal(s.add(n), false, `add(${n})`);
    assert.equal(s.size, 6);
    assert.deepEqual(s.ranges(), [
      [1, 3],
      [7, 9],
    ]);
  });

  test('an out-of-order value filling a one-wide hole joins both neighbours', () => {
    const s = new RangeSet();
    s.add(1);
    s.add(3);
    assert.equal(s.add(2), true);
    assert.deepEqual(s.ranges(), [[1, 3]]);
    assert.equal(s.size, 3);
  });

  test('out-of-order values adjacent on either side extend the existing range', () => {
    const s = new RangeSet();
    s.add(10);
    s.add(20);
    s.add(9); // just before the first range
    s.add(11); // just after the first range, not the last
    s.add(19); // just before the last range
    assert.deepEqual(s.ranges(), [
      [9, 11],
      [19, 20],
    ]);
    assert.equal(s.size, 5);
  });

  test('a value before everything, not adjacent, becomes its own first range', () => {
    const s = RangeSet.fromRanges([[10, 12]]);
    s.add(8);
    assert.deepEqual(s.ranges(), [
      [8, 8],
      [10, 12],
    ]);
    assert.equal(s.min, 8);
  });
});

describe('RangeSet.addRange', () => {
  test('merges overlapping ranges and reports only new members', () => {
    const s = RangeSet.fromRanges([[1, 5]]);
    assert.equal(s.addRange(4, 8), 3);
    assert.deepEqual(s.ranges(), [[1, 8]]);
    assert.equal(s.size, 8);
  });

  test('merges adjacent ranges (end + 1 = start) on both sides', () => {
    const s = RangeSet.fromRanges([
      [1, 3],
      [7, 9],
    ]);
    assert.equal(s.addRange(4, 6), 3);
    assert.deepEqual(s.ranges(), [[1, 9]]);
  });

  test('keeps ranges separated by a one-wide gap apart', () => {
    const s = RangeSet.fromRanges([[1, 3]]);
    s.addRange(5, 6);
    assert.deepEqual(s.ranges(), [
      [1, 3],
      [5, 6],
    ]);
    assert.equal(s.has(4), false);
  });

  test('swallows several ranges at once', () => {
    const s = RangeSet.fromRanges([
      [1, 1],
      [3, 3],
      [5, 5],
      [20, 21],
    ]);
    assert.equal(s.addRange(0, 6), 4);
    assert.deepEqual(s.ranges(), [
      [0, 6],
      [20, 21],
    ]);
    assert.equal(s.size, 9);
  });

  test('a range already covered adds nothing; an empty range (b < a) adds nothing', () => {
    const s = RangeSet.fromRanges([[1, 10]]);
    assert.equal(s.addRange(2, 9), 0);
    assert.equal(s.addRange(5, 4), 0);
    assert.deepEqual(s.ranges(), [[1, 10]]);
    assert.equal(s.size, 10);
  });

  test('single-element ranges count 1', () => {
    const s = new RangeSet();
    assert.equal(s.addRange(7, 7), 1);
    assert.equal(s.size, 1);
  });
});

describe('RangeSet queries', () => {
  const s = RangeSet.fromRanges([
    [10, 20],
    [30, 30],
    [40, 45],
  ]);

  test('has is exact at every boundary', () => {
    for (const n of [10, 15, 20, 30, 40, 45]) assert.equal(s.has(n), true, `has(${n})`);
    for (const n of [9, 21, 29, 31, 39, 46, -1]) assert.equal(s.has(n), false, `has(${n})`);
  });

  test('countIn counts inclusive ends and partial overlaps', () => {
    assert.equal(s.countIn(10, 20), 11);
    assert.equal(s.countIn(20, 30), 2);
    assert.equal(s.countIn(15, 42), 6 + 1 + 3);
    assert.equal(s.countIn(21, 29), 0);
    assert.equal(s.countIn(0, 100), 18);
    assert.equal(s.countIn(45, 45), 1);
    assert.equal(s.countIn(46, 100), 0);
    assert.equal(s.countIn(20, 10), 0);
  });

  test('missing lists the holes, inclusive, including at the window edges', () => {
    assert.deepEqual(s.missing(10, 45), [
      [21, 29],
      [31, 39],
    ]);
    assert.deepEqual(s.missing(5, 50), [
      [5, 9],
      [21, 29],
      [31, 39],
      [46, 50],
    ]);
    assert.deepEqual(s.missing(20, 30), [[21, 29]]);
    assert.deepEqual(s.missing(21, 29), [[21, 29]]);
    assert.deepEqual(s.missing(11, 19), []);
    assert.deepEqual(s.missing(45, 46), [[46, 46]]);
    assert.deepEqual(s.missing(9, 10), [[9, 9]]);
    assert.deepEqual(s.missing(30, 30), []);
    assert.deepEqual(s.missing(31, 30), []);
  });

  test('missing on an empty set is the whole window', () => {
    assert.deepEqual(new RangeSet().missing(3, 7), [[3, 7]]);
  });

  test('size, min and max; undefined when empty', () => {
    assert.equal(s.size, 18);
    assert.equal(s.min, 10);
    assert.equal(s.max, 45);
    const empty = new RangeSet();
    assert.equal(empty.size, 0);
    assert.equal(empty.min, undefined);
    assert.equal(empty.max, undefined);
  });
});

describe('RangeSet construction and union', () => {
  test('fromSorted collapses runs, tolerates duplicates and keeps gaps', () => {
    const s = RangeSet.fromSorted([1, 2, 2, 3, 5, 5, 7, 8]);
    assert.deepEqual(s.ranges(), [
      [1, 3],
      [5, 5],
      [7, 8],
    ]);
    assert.equal(s.size, 6);
  });

  test('fromSorted of nothing is empty, of one value is one range', () => {
    assert.equal(RangeSet.fromSorted([]).size, 0);
    assert.deepEqual(RangeSet.fromSorted([4]).ranges(), [[4, 4]]);
  });

  test('fromSorted rejects values going backwards', () => {
    assert.throws(() => RangeSet.fromSorted([5, 6, 1]), RangeError);
  });

  test('fromRanges accepts ranges in any order and merges overlaps', () => {
    const s = RangeSet.fromRanges([
      [20, 25],
      [1, 5],
      [4, 10],
      [11, 11],
    ]);
    assert.deepEqual(s.ranges(), [
      [1, 11],
      [20, 25],
    ]);
    assert.equal(s.size, 17);
  });

  test('union merges without changing either operand', () => {
    const a = RangeSet.fromRanges([
      [1, 3],
      [10, 12],
    ]);
    const b = RangeSet.fromRanges([
      [4, 5],
      [12, 14],
      [20, 20],
    ]);
    const u = a.union(b);
    assert.deepEqual(u.ranges(), [
      [1, 5],
      [10, 14],
      [20, 20],
    ]);
    assert.equal(u.size, 11);
    assert.equal(a.size, 6);
    assert.equal(b.size, 6);
  });

  test('clone is independent', () => {
    const a = RangeSet.fromRanges([[1, 2]]);
    const c = a.clone();
    c.add(3);
    assert.equal(a.size, 2);
    assert.equal(c.size, 3);
  });
});

test('random adds agree with a plain Set (catches merge and count off-by-ones)', () => {
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 50; round++) {
    const s = new RangeSet();
    const ref = new Set<number>();
    for (let i = 0; i < 60; i++) {
      if (rand(3) === 0) {
        const a = rand(100);
        const b = a + rand(6);
        let fresh = 0;
        for (let n = a; n <= b; n++) {
          if (!ref.has(n)) fresh++;
          ref.add(n);
        }
        assert.equal(s.addRange(a, b), fresh);
      } else {
        const n = rand(100);
        assert.equal(s.add(n), !ref.has(n));
        ref.add(n);
      }
    }
    assert.equal(s.size, ref.size);
    const ranges = s.ranges();
    for (let i = 1; i < ranges.length; i++) {
      assert.ok(ranges[i]![0] > ranges[i - 1]![1] + 1, 'ranges are disjoint and not adjacent');
    }
    const a = rand(100);
    const b = a + rand(30);
    let count = 0;
    const holes: number[] = [];
    for (let n = a; n <= b; n++) {
      assert.equal(s.has(n), ref.has(n));
      if (ref.has(n)) count++;
      else holes.push(n);
    }
    assert.equal(s.countIn(a, b), count);
    let next: number | undefined;
    for (let n = a; n <= 160 && next === undefined; n++) if (ref.has(n)) next = n;
    assert.equal(s.firstAtOrAfter(a), next);
    assert.deepEqual(
      s.missing(a, b).flatMap(([x, y]) => Array.from({ length: y - x + 1 }, (_, k) => x + k)),
      holes,
    );
  }
});

/** An inclusive integer range `[start, end]`. */
export type Range = readonly [start: number, end: number];

/**
 * A set of integers kept as sorted, disjoint, non-adjacent inclusive ranges.
 *
 * Coverage (which partitions are present) is one of these per dataset. The
 * common case — the next partition arriving in order — is an O(1) append, which
 * is what keeps the continuity check on every insert cheap.
 *
 * @example
 * const s = new RangeSet();
 * s.add(1); s.add(2); s.add(5);
 * s.ranges(); // [[1, 2], [5, 5]]
 * s.missing(1, 5); // [[3, 4]]
 */
export class RangeSet {
  private starts: number[] = [];
  private ends: number[] = [];
  private total = 0;

  /** Builds a set from ascending integers (duplicates allowed) in one pass. */
  static fromSorted(values: ArrayLike<number>): RangeSet {
    const set = new RangeSet();
    const n = values.length;
    if (n === 0) return set;
    let start = values[0]!;
    let end = start;
    for (let i = 1; i < n; i++) {
      const v = values[i]!;
      if (v === end + 1) end = v;
      else if (v > end + 1) {
        set.starts.push(start);
        set.ends.push(end);
        set.total += end - start + 1;
        start = v;
        end = v;
      } else if (v < start) throw new RangeError(`fromSorted: values are not ascending (${v} after ${end})`);
    }
    set.starts.push(start);
    set.ends.push(end);
    set.total += end - start + 1;
    return set;
  }

  /** Builds a set from ranges in any order (overlaps merged). */
  static fromRanges(ranges: Iterable<Range>): RangeSet {
    const set = new RangeSet();
    for (const [a, b] of ranges) set.addRange(a, b);
    return set;
  }

  /** How many integers the set holds. */
  get size(): number {
    return this.total;
  }

  /** How many disjoint ranges the set holds. */
  get rangeCount(): number {
    return this.starts.length;
  }

  /** The smallest member, or undefined when empty. */
  get min(): number | undefined {
    return this.starts[0];
  }

  /** The largest member, or undefined when empty. */
  get max(): number | undefined {
    return this.ends[this.ends.length - 1];
  }

  /** Adds one integer; returns true when it was not already present. */
  add(n: number): boolean {
    const last = this.ends.length - 1;
    // Fast paths: in-order arrival extends or follows the last range.
    if (last < 0 || n > this.ends[last]! + 1) {
      this.starts.push(n);
      this.ends.push(n);
      this.total++;
      return true;
    }
    if (n === this.ends[last]! + 1) {
      this.ends[last] = n;
      this.total++;
      return true;
    }
    return this.addRange(n, n) === 1;
  }

  /** Adds `[a, b]`; returns how many integers were new. */
  addRange(a: number, b: number): number {
    if (b < a) return 0;
    // Fast path: ranges arriving in ascending order, apart from the last one, are appended.
    const last = this.ends.length - 1;
    if (last < 0 || a > this.ends[last]! + 1) {
      this.starts.push(a);
      this.ends.push(b);
      this.total += b - a + 1;
      return b - a + 1;
    }
    // First range whose end >= a - 1 (could touch or overlap).
    const lo = this.lowerBoundEnd(a - 1);
    let hi = lo;
    let newStart = a;
    let newEnd = b;
    let removed = 0;
    while (hi < this.starts.length && this.starts[hi]! <= b + 1) {
      newStart = Math.min(newStart, this.starts[hi]!);
      newEnd = Math.max(newEnd, this.ends[hi]!);
      removed += this.ends[hi]! - this.starts[hi]! + 1;
      hi++;
    }
    this.starts.splice(lo, hi - lo, newStart);
    this.ends.splice(lo, hi - lo, newEnd);
    const added = newEnd - newStart + 1 - removed;
    this.total += added;
    return added;
  }

  /** Whether `n` is a member. */
  has(n: number): boolean {
    const i = this.lowerBoundEnd(n);
    return i < this.starts.length && this.starts[i]! <= n;
  }

  /** The smallest member `>= n`, or undefined when there is none. */
  firstAtOrAfter(n: number): number | undefined {
    const i = this.lowerBoundEnd(n);
    return i < this.starts.length ? Math.max(n, this.starts[i]!) : undefined;
  }

  /** Members of `[a, b]` in the set. */
  countIn(a: number, b: number): number {
    if (b < a) return 0;
    let count = 0;
    for (let i = this.lowerBoundEnd(a); i < this.starts.length && this.starts[i]! <= b; i++) {
      count += Math.min(b, this.ends[i]!) - Math.max(a, this.starts[i]!) + 1;
    }
    return count;
  }

  /** The sub-ranges of `[a, b]` that are not in the set, ascending. */
  missing(a: number, b: number): Range[] {
    const out: Range[] = [];
    if (b < a) return out;
    let cursor = a;
    for (let i = this.lowerBoundEnd(a); i < this.starts.length && this.starts[i]! <= b; i++) {
      const s = this.starts[i]!;
      if (s > cursor) out.push([cursor, s - 1]);
      cursor = this.ends[i]! + 1;
      if (cursor > b) return out;
    }
    if (cursor <= b) out.push([cursor, b]);
    return out;
  }

  /** All ranges, ascending. */
  ranges(): Range[] {
    const out: Range[] = new Array(this.starts.length);
    for (let i = 0; i < this.starts.length; i++) out[i] = [this.starts[i]!, this.ends[i]!];
    return out;
  }

  /** A copy of this set. */
  clone(): RangeSet {
    const c = new RangeSet();
    c.starts = this.starts.slice();
    c.ends = this.ends.slice();
    c.total = this.total;
    return c;
  }

  /** The union of this set and `other`, as a new set. */
  union(other: RangeSet): RangeSet {
    const out = this.clone();
    for (let i = 0; i < other.starts.length; i++) out.addRange(other.starts[i]!, other.ends[i]!);
    return out;
  }

  /** Index of the first range with `end >= n` (binary search). */
  private lowerBoundEnd(n: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! < n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

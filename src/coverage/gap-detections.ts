import type { Range } from '../domain/range-set.js';

/**
 * When this process first saw each missing partition of a dataset: the time a
 * gap was announced, kept per ordinal range. Gap ages and the detect-to-fill
 * histogram count from it, never from a partition's own date (a day of 2012
 * replayed today has been missing for seconds, not years). In memory only:
 * a gap already open when the process started is not in here (see
 * `describeGaps` for how its age is told then). Pure: times are passed in.
 *
 * Kept as sorted, disjoint ranges, each with its detection time; a fill cuts
 * its ordinal out, so the entries shrink as gaps close.
 */
export class GapDetections {
  private starts: number[] = [];
  private ends: number[] = [];
  private ats: number[] = [];
  private sizeAfterRetain = 0;

  /** How many ranges are kept. */
  get size(): number {
    return this.starts.length;
  }

  /**
   * Whether the ranges have doubled since the last `retain`: partitions that
   * stop being gaps without a fill (known missing, filled by another process)
   * leave their ranges behind until then.
   */
  get retainDue(): boolean {
    return this.starts.length > 2 * this.sizeAfterRetain + 64;
  }

  /** Notes that the partitions `[a, b]` were found missing at `atMs` (a later note of the same ordinals wins). */
  noteOpened(a: number, b: number, atMs: number): void {
    if (b < a) return;
    this.cut(a, b);
    const i = this.firstEndingAtOrAfter(a);
    this.starts.splice(i, 0, a);
    this.ends.splice(i, 0, b);
    this.ats.splice(i, 0, atMs);
  }

  /** The earliest detection time noted for any ordinal of `[a, b]`; undefined when none is. */
  detectedIn(a: number, b: number): number | undefined {
    let earliest: number | undefined;
    for (let i = this.firstEndingAtOrAfter(a); i < this.starts.length && this.starts[i]! <= b; i++) {
      if (earliest === undefined || this.ats[i]! < earliest) earliest = this.ats[i]!;
    }
    return earliest;
  }

  /** The detection time of a partition just filled, forgotten from now on; undefined when none was noted. */
  takeFilled(ordinal: number): number | undefined {
    const i = this.firstEndingAtOrAfter(ordinal);
    if (i >= this.starts.length || this.starts[i]! > ordinal) return undefined;
    const at = this.ats[i]!;
    this.cut(ordinal, ordinal);
    return at;
  }

  /** Keeps only the parts of the noted ranges that `stillMissing` reports as gaps (the others closed unseen). */
  retain(stillMissing: (a: number, b: number) => readonly Range[]): void {
    const starts: number[] = [];
    const ends: number[] = [];
    const ats: number[] = [];
    for (let i = 0; i < this.starts.length; i++) {
      for (const [s, e] of stillMissing(this.starts[i]!, this.ends[i]!)) {
        starts.push(s);
        ends.push(e);
        ats.push(this.ats[i]!);
      }
    }
    this.starts = starts;
    this.ends = ends;
    this.ats = ats;
    this.sizeAfterRetain = starts.length;
  }

  /** Removes `[a, b]` from every noted range, splitting the one it falls inside. */
  private cut(a: number, b: number): void {
    let i = this.firstEndingAtOrAfter(a);
    while (i < this.starts.length && this.starts[i]! <= b) {
      const s = this.starts[i]!;
      const e = this.ends[i]!;
      const at = this.ats[i]!;
      const left: [number, number][] = s < a ? [[s, a - 1]] : [];
      const right: [number, number][] = e > b ? [[b + 1, e]] : [];
      const keep = [...left, ...right];
      this.starts.splice(i, 1, ...keep.map((r) => r[0]));
      this.ends.splice(i, 1, ...keep.map((r) => r[1]));
      this.ats.splice(i, 1, ...keep.map(() => at));
      i += keep.length;
    }
  }

  /** Index of the first range whose end is `>= n` (binary search). */
  private firstEndingAtOrAfter(n: number): number {
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

import type { Partitioning } from '../domain/partitioning.js';
import { type Range, RangeSet } from '../domain/range-set.js';

/** What adding ordinals changed: gaps that opened, and ordinals that closed an open gap. */
export interface CoverageChange {
  opened: Range[];
  closed: number[];
}

/**
 * Which partitions of one dataset are present, and which the source confirmed
 * do not exist (known missing). Pure: no I/O; the engine feeds it what the
 * store accepted.
 *
 * The expected window runs from the partitioning's first ordinal (or the
 * smallest present one) to the largest present one; newer partitions that
 * have not arrived yet are a freshness question, not a gap.
 */
export class DatasetCoverage {
  private present: RangeSet;
  private knownMissing: RangeSet;
  /** The newest partition the dataset's sources themselves have delivered (latest or backfill). */
  private sourceNewestOrdinal: number | undefined;

  constructor(
    readonly partitioning: Partitioning,
    present: RangeSet = new RangeSet(),
    knownMissing: RangeSet = new RangeSet(),
  ) {
    this.present = present;
    this.knownMissing = knownMissing;
  }

  /** Replaces the state with what a full scan of the store found. */
  reset(present: RangeSet, knownMissing: RangeSet, sourceNewest?: number | null): void {
    this.present = present;
    this.knownMissing = knownMissing;
    this.sourceNewestOrdinal = sourceNewest ?? undefined;
  }

  /** The newest present ordinal, or undefined when nothing is present. */
  newest(): number | undefined {
    return this.present.max;
  }

  /** The newest partition the sources have delivered, if any delivered one. */
  get sourceNewest(): number | undefined {
    return this.sourceNewestOrdinal;
  }

  /** Notes that a source delivered `ordinal`; returns true when that is newer than any before. */
  noteSourceNewest(ordinal: number): boolean {
    if (this.sourceNewestOrdinal !== undefined && ordinal <= this.sourceNewestOrdinal) return false;
    this.sourceNewestOrdinal = ordinal;
    return true;
  }

  /**
   * Whether a source's "not found" for `ordinal` is final. A source that has
   * delivered a newer partition has moved past it; one that has not may just
   * not have published it yet. Without a delivery to go by, a calendar
   * partition is final once due, and a sequence cannot tell (undefined).
   */
  notFoundIsFinal(ordinal: number, nowMs: number): boolean | undefined {
    if (this.sourceNewestOrdinal !== undefined) return ordinal <= this.sourceNewestOrdinal;
    if (this.partitioning.kind === 'sequence') return undefined;
    const due = this.partitioning.latestDue(nowMs);
    return due !== undefined && ordinal <= due;
  }

  /**
   * Adds newly stored ordinals and returns the change. This is the
   * continuity check on every insert: a record beyond the newest present one
   * opens the gap behind it at once.
   */
  add(ordinals: ArrayLike<number>): CoverageChange {
    const opened: Range[] = [];
    const closed: number[] = [];
    for (let i = 0; i < ordinals.length; i++) {
      const n = ordinals[i]!;
      const max = this.present.max;
      if (max === undefined) {
        const first = this.partitioning.firstOrdinal;
        if (!this.present.add(n)) continue;
        if (first !== undefined && n > first) this.pushExpected(opened, first, n - 1);
      } else if (n > max) {
        this.present.add(n);
        if (n > max + 1) this.pushExpected(opened, max + 1, n - 1);
      } else {
        const min = this.present.min!;
        if (!this.present.add(n)) continue;
        if (n < min && this.partitioning.firstOrdinal === undefined) {
          // A record older than everything so far widens the window backwards.
          if (n + 1 <= min - 1) this.pushExpected(opened, n + 1, min - 1);
        } else closed.push(n);
      }
    }
    return { opened, closed };
  }

  /** Marks ordinals the source confirmed do not exist. */
  addKnownMissing(ordinals: readonly number[]): void {
    for (const n of ordinals) this.knownMissing.add(n);
  }

  /** The window of expected ordinals, or undefined when nothing is present. */
  window(): Range | undefined {
    const max = this.present.max;
    if (max === undefined) return undefined;
    const first = this.partitioning.firstOrdinal ?? this.present.min!;
    return [Math.min(first, this.present.min!), max];
  }

  /** Open gaps (expected, absent, not known missing), ascending, optionally within `[from, to]`. */
  gaps(from?: number, to?: number): Range[] {
    const w = this.window();
    if (!w) return [];
    const a = Math.max(w[0], from ?? w[0]);
    const b = Math.min(w[1], to ?? w[1]);
    const out: Range[] = [];
    for (const [s, e] of this.present.missing(a, b)) this.pushExpected(out, s, e);
    return out;
  }

  /**
   * The first `limit` ordinals of the open gaps within `[from, to]`, ascending,
   * and `through`: the last ordinal considered (`to` when the range ran out
   * first). Bounded work whatever the width of a gap: it stops at `limit`.
   */
  takeGaps(from: number, to: number, limit: number): { ordinals: number[]; through: number } {
    const ordinals: number[] = [];
    const w = this.window();
    if (limit <= 0) return { ordinals, through: from - 1 };
    if (!w) return { ordinals, through: to };
    const chunk = Math.max(limit, 4096);
    for (const [s, e] of this.present.missing(Math.max(from, w[0]), Math.min(to, w[1]))) {
      // In chunks, so that a calendar's expected slots are listed for a bounded stretch at a time.
      for (let lo = s; lo <= e; lo += chunk) {
        const hi = Math.min(e, lo + chunk - 1);
        for (const [x, y] of this.partitioning.expected(lo, hi).ranges()) {
          for (const [p, q] of this.knownMissing.missing(x, y)) {
            for (let n = p; n <= q; n++) {
              ordinals.push(n);
              if (ordinals.length === limit) return { ordinals, through: n };
            }
          }
        }
      }
    }
    return { ordinals, through: to };
  }

  /** The smallest present ordinal above `ordinal`, or undefined when there is none. */
  nextPresentAfter(ordinal: number): number | undefined {
    return this.present.firstAtOrAfter(ordinal + 1);
  }

  /** Whether the ordinal is present. */
  has(ordinal: number): boolean {
    return this.present.has(ordinal);
  }

  /** Counts over the expected window. */
  summary(): { present: number; knownMissing: number; missing: number; expected: number; gaps: number } {
    const gaps = this.gaps();
    const missing = gaps.reduce((n, [a, b]) => n + b - a + 1, 0);
    const w = this.window();
    const knownMissing = w ? this.knownMissing.countIn(w[0], w[1]) : 0;
    const present = this.present.size;
    return { present, knownMissing, missing, expected: present + knownMissing + missing, gaps: gaps.length };
  }

  /** How many ordinals of `[a, b]` are present: range arithmetic on the live set, nothing copied. */
  countPresent(a: number, b: number): number {
    return this.present.countIn(a, b);
  }

  /** Ranges of present ordinals. */
  presentRanges(): Range[] {
    return this.present.ranges();
  }

  /** Appends the expected, not-known-missing sub-ranges of `[a, b]` to `out`. */
  private pushExpected(out: Range[], a: number, b: number): void {
    for (const [s, e] of this.partitioning.expected(a, b).ranges()) {
      for (const r of this.knownMissing.missing(s, e)) out.push(r);
    }
  }
}

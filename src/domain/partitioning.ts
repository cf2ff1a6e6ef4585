import type { RangeSet } from './range-set.js';

/**
 * How a dataset's partitions are laid out. Every partition maps to an integer
 * *ordinal*; coverage, gaps and the backfill queue work on ordinals only, so gap
 * arithmetic is the same for sequences and calendars.
 *
 * - sequence: ordinal = (value - start) / step.
 * - calendar, every N minutes/hours: ordinal = slot number since the epoch.
 * - calendar, every N days: ordinal = local day number (since 1970-01-01 in the
 *   dataset's time zone) / N.
 * - calendar, cron: ordinal = the occurrence's epoch minute (epoch second when
 *   the expression has seconds); ordinals are sparse and `expected` lists them.
 */
export interface Partitioning {
  readonly kind: 'sequence' | 'calendar';
  /**
   * The ordinal of a record's raw partition value, or a reason it is outside
   * the dataset's domain (wrong type, not on the step, an excluded date, ...).
   */
  toOrdinal(raw: unknown): number | { error: string };
  /** The external value of an ordinal: the integer for sequences, a date or ISO string for calendars. */
  valueOf(ordinal: number): number | string;
  /** Template variables describing an ordinal, for source requests (`partition`, `date`, `unix`, `ms`, `iso`). */
  describe(ordinal: number): Readonly<Record<string, string>>;
  /** The ordinals that should exist within `[from, to]` (excluded dates and non-occurrences left out). */
  expected(from: number, to: number): RangeSet;
  /** The first ordinal the dataset expects (from its configured start), if any. */
  readonly firstOrdinal: number | undefined;
  /**
   * The newest ordinal that should exist at `nowMs` (calendars), or undefined
   * (sequences, whose newest value is only known from the source).
   */
  latestDue(nowMs: number): number | undefined;
  /** The instant a calendar ordinal starts at, in ms; undefined for sequences. */
  instantOf(ordinal: number): number | undefined;
}

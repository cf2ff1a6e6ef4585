import type { Partitioning } from '../domain/partitioning.js';
import type { Range, RangeSet } from '../domain/range-set.js';
import {
  type BucketKind,
  type BucketScale,
  blockScale,
  bucketCount,
  CALENDAR_BUCKET_KINDS,
  type CalendarBucketKind,
  calendarKindsFor,
  calendarScale,
} from './bucket-scales.js';

export type { BucketKind } from './bucket-scales.js';

/** Completeness of one bucket of partitions: a cell of the dashboard's heatmap. */
export interface CompletenessBucket {
  /** Partition value of the bucket's first and last expected partition (of its first and last slot when none is expected). */
  start: number | string;
  end: number | string;
  label: string;
  expected: number;
  present: number;
  knownMissing: number;
  /** present / (expected - knownMissing), 0–100; 100 when nothing is due. */
  percent: number;
}

export interface CompletenessOptions {
  partitioning: Partitioning;
  /** Only counted in ranges, so a live coverage set serves without a copy. */
  present: Pick<RangeSet, 'countIn'>;
  knownMissing: Pick<RangeSet, 'countIn'>;
  /** Ordinal window to describe, inclusive. */
  window: Range;
  /** The finest bucket wanted; coarser ones are used when it would make more than `maxBuckets`. */
  bucket: BucketKind | 'auto';
  /** At most this many buckets; the bucket size grows until the whole window fits. @default 120 */
  maxBuckets?: number;
}

/** No answer holds more buckets than this, whatever is asked. */
export const MAX_BUCKETS = 1000;
export const DEFAULT_BUCKETS = 120;

/**
 * Splits the window's expected partitions into at most `maxBuckets` buckets — local
 * hours, days, ISO weeks, months or years for calendars, blocks of 1, 2, 5, 10, …
 * partitions for sequences — coarse enough that the whole window fits, and counts
 * what is present in each. Pure, and bounded: each bucket is one ordinal range found
 * by binary search, and its counts are range arithmetic on the coverage sets, so the
 * work grows with the number of buckets and ranges, never with the partitions.
 */
export function completenessBuckets(options: CompletenessOptions): {
  bucket: BucketKind;
  blockSize: number | null;
  buckets: CompletenessBucket[];
} {
  const { partitioning: p, window } = options;
  const maxBuckets = Math.max(1, Math.min(MAX_BUCKETS, options.maxBuckets ?? DEFAULT_BUCKETS));
  const scale =
    p.kind === 'sequence'
      ? blockScale(p, window, maxBuckets)
      : chooseCalendarScale(p, window, options.bucket, maxBuckets);
  return { bucket: scale.kind, blockSize: scale.blockSize, buckets: walk(options, scale, maxBuckets) };
}

/**
 * The finest calendar scale allowed (not finer than a slot, nor than the asked kind)
 * that cuts the window into at most `maxBuckets`. `auto` also avoids more buckets than
 * twice the expected partitions, so a sparse cron calendar is not mostly empty cells.
 */
function chooseCalendarScale(
  p: Partitioning,
  window: Range,
  asked: BucketKind | 'auto',
  maxBuckets: number,
): BucketScale {
  const finest = asked === 'auto' || asked === 'block' ? 0 : CALENDAR_BUCKET_KINDS.indexOf(asked);
  const kinds = calendarKindsFor(p, window).filter((k) => CALENDAR_BUCKET_KINDS.indexOf(k) >= finest);
  const sparseLimit = asked === 'auto' ? 2 * p.expected(window[0], window[1]).size : Number.POSITIVE_INFINITY;
  const candidates: CalendarBucketKind[] = kinds.length > 0 ? kinds : ['year'];
  for (const kind of candidates) {
    const scale = calendarScale(p, kind);
    const n = bucketCount(scale, window);
    if (n <= maxBuckets && n <= Math.max(1, sparseLimit)) return scale;
  }
  return calendarScale(p, 'year');
}

/** The buckets of `scale` over the window, oldest first; the newest `maxBuckets` when even years do not fit. */
function walk(options: CompletenessOptions, scale: BucketScale, maxBuckets: number): CompletenessBucket[] {
  const { partitioning: p, present, knownMissing } = options;
  const [a, b] = options.window;
  // Only years of a calendar over more than MAX_BUCKETS years can still be too many: keep the newest.
  let s = bucketCount(scale, options.window) > maxBuckets ? firstOfNewest(scale, a, b, maxBuckets) : a;
  const out: CompletenessBucket[] = [];
  while (s <= b) {
    const i = scale.index(s);
    const e = lastWithIndex(scale, i, s, b);
    const expected = p.expected(s, e);
    const first = expected.min ?? s;
    const last = expected.max ?? e;
    const start = p.valueOf(first);
    const end = p.valueOf(last);
    out.push(
      cell(
        start,
        end,
        scale.label(i, first, last),
        expected.size,
        present.countIn(s, e),
        knownMissing.countIn(s, e),
      ),
    );
    s = e + 1;
  }
  return out;
}

/** The last ordinal in `[s, b]` whose bucket index is `i` (index(s) === i): binary search. */
function lastWithIndex(scale: BucketScale, i: number, s: number, b: number): number {
  if (scale.index(b) === i) return b;
  let lo = s; // index(lo) === i
  let hi = b; // index(hi) > i
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (scale.index(mid) === i) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The first ordinal of the newest `n` buckets of `[a, b]`. */
function firstOfNewest(scale: BucketScale, a: number, b: number, n: number): number {
  const target = scale.index(b) - n + 1;
  let lo = a; // index(lo) < target
  let hi = b; // index(hi) >= target
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (scale.index(mid) < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

function cell(
  start: number | string,
  end: number | string,
  label: string,
  expected: number,
  present: number,
  knownMissing: number,
): CompletenessBucket {
  const due = expected - knownMissing;
  const percent = due <= 0 ? 100 : Math.floor((present / due) * 1000) / 10;
  return { start, end, label, expected, present, knownMissing, percent };
}

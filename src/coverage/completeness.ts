import type { Partitioning } from '../domain/partitioning.js';
import type { Range, RangeSet } from '../domain/range-set.js';

export type BucketKind = 'hour' | 'day' | 'block';

/** Completeness of one bucket of partitions: a cell of the dashboard's heatmap. */
export interface CompletenessBucket {
  /** Partition value of the bucket's first and last expected partition. */
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
  present: RangeSet;
  knownMissing: RangeSet;
  /** Ordinal window to describe, inclusive. */
  window: Range;
  bucket: BucketKind | 'auto';
  /** At most this many buckets, the newest kept. @default 500 */
  maxBuckets?: number;
}

/** Calendar ordinals looked at one by one at most; older ones are left out of the heatmap. */
const MAX_CALENDAR_ORDINALS = 200_000;
const BLOCK_TARGET = 60;

/**
 * Splits a dataset's expected partitions into buckets (per hour or day for
 * calendars, per block of partitions for sequences) and counts what is present.
 * Pure: coverage in, numbers out.
 */
export function completenessBuckets(options: CompletenessOptions): {
  bucket: BucketKind;
  buckets: CompletenessBucket[];
} {
  const { partitioning: p, window } = options;
  const maxBuckets = options.maxBuckets ?? 500;
  const bucket = resolveKind(options.bucket, p, window);
  const buckets =
    bucket === 'block' ? blockBuckets(options, window) : calendarBuckets(options, window, bucket);
  return { bucket, buckets: buckets.slice(-maxBuckets) };
}

function resolveKind(kind: BucketKind | 'auto', p: Partitioning, [a, b]: Range): BucketKind {
  if (p.kind === 'sequence') return 'block';
  if (kind !== 'auto') return kind;
  const first = p.instantOf(a);
  const last = p.instantOf(b);
  if (first === undefined || last === undefined) return 'block';
  return last - first > 3 * 86_400_000 ? 'day' : 'hour';
}

function blockBuckets(options: CompletenessOptions, [a, b]: Range): CompletenessBucket[] {
  const { partitioning: p, present, knownMissing } = options;
  const size = Math.max(1, Math.ceil((b - a + 1) / BLOCK_TARGET));
  const out: CompletenessBucket[] = [];
  for (let s = a; s <= b; s += size) {
    const e = Math.min(b, s + size - 1);
    const expected = p.expected(s, e).size;
    if (expected === 0) continue;
    const start = p.valueOf(s);
    const end = p.valueOf(e);
    out.push(
      cell(
        start,
        end,
        s === e ? String(start) : `${start}–${end}`,
        expected,
        present.countIn(s, e),
        knownMissing.countIn(s, e),
      ),
    );
  }
  return out;
}

function calendarBuckets(
  options: CompletenessOptions,
  [a, b]: Range,
  kind: 'hour' | 'day',
): CompletenessBucket[] {
  const { partitioning: p, present, knownMissing } = options;
  const out: CompletenessBucket[] = [];
  let current:
    | { key: string; start: number; end: number; expected: number; present: number; known: number }
    | undefined;
  const flush = () => {
    if (!current) return;
    const start = p.valueOf(current.start);
    out.push(
      cell(start, p.valueOf(current.end), current.key, current.expected, current.present, current.known),
    );
  };
  const ranges = p.expected(a, b).ranges();
  let budget = MAX_CALENDAR_ORDINALS;
  // Walk newest first so the budget keeps the recent past, then restore ascending order.
  const ordinals: number[] = [];
  for (let i = ranges.length - 1; i >= 0 && budget > 0; i--) {
    const [s, e] = ranges[i]!;
    for (let n = e; n >= s && budget > 0; n--, budget--) ordinals.push(n);
  }
  ordinals.reverse();
  for (const n of ordinals) {
    const key = bucketKey(p, n, kind);
    if (current?.key !== key) {
      flush();
      current = { key, start: n, end: n, expected: 0, present: 0, known: 0 };
    }
    current.end = n;
    current.expected++;
    if (present.has(n)) current.present++;
    else if (knownMissing.has(n)) current.known++;
  }
  flush();
  return out;
}

/** The local date (day buckets) or the local date and hour (hour buckets) of a calendar ordinal. */
function bucketKey(p: Partitioning, ordinal: number, kind: 'hour' | 'day'): string {
  const d = p.describe(ordinal);
  const date = d.date ?? String(p.valueOf(ordinal)).slice(0, 10);
  if (kind === 'day') return date;
  // Intraday calendar values are local ISO times (`2026-11-22T10:15:00+08:00`).
  const hour = String(p.valueOf(ordinal)).slice(11, 13);
  return `${date} ${hour}:00`;
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

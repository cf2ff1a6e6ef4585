import type { Partitioning } from '../domain/partitioning.js';
import type { Range } from '../domain/range-set.js';

export type CalendarBucketKind = 'hour' | 'day' | 'week' | 'month' | 'year';
export type BucketKind = CalendarBucketKind | 'block';

/** Calendar bucket kinds, finest first. */
export const CALENDAR_BUCKET_KINDS: readonly CalendarBucketKind[] = ['hour', 'day', 'week', 'month', 'year'];

/** The shortest length of each kind, to compare with a calendar's slot length. */
const SHORTEST_MS: Record<CalendarBucketKind, number> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 28 * 86_400_000,
  year: 365 * 86_400_000,
};

/**
 * How ordinals fall into buckets: `index` numbers the bucket an ordinal is in and
 * never decreases as the ordinal grows, so a bucket's ordinals are one range found
 * by binary search; `label` names a bucket by its index.
 */
export interface BucketScale {
  kind: BucketKind;
  /** Partitions per block (sequences); null for calendar buckets. */
  blockSize: number | null;
  index(ordinal: number): number;
  label(index: number, first: number, last: number): string;
}

/** Block sizes 1, 2, 5, 10, 20, 50, … */
function* niceSizes(): Generator<number> {
  for (let scale = 1; ; scale *= 10) for (const m of [1, 2, 5]) yield m * scale;
}

/** How many buckets of `scale` the window `[a, b]` spans, counting any that hold no ordinal. */
export function bucketCount(scale: BucketScale, [a, b]: Range): number {
  return scale.index(b) - scale.index(a) + 1;
}

/** Blocks of the smallest nice size that cuts `[a, b]` into at most `maxBuckets`, aligned to multiples of it. */
export function blockScale(p: Partitioning, window: Range, maxBuckets: number): BucketScale {
  for (const size of niceSizes()) {
    const scale: BucketScale = {
      kind: 'block',
      blockSize: size,
      index: (o) => Math.floor(o / size),
      label: (_i, first, last) => {
        const a = p.valueOf(first);
        return first === last ? String(a) : `${a}–${p.valueOf(last)}`;
      },
    };
    if (bucketCount(scale, window) <= maxBuckets) return scale;
  }
  throw new Error('unreachable: block sizes grow without bound');
}

const DAY_MS = 86_400_000;

/** Local date `YYYY-MM-DD` as a day number since 1970-01-01. */
const dayNumber = (date: string): number =>
  Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
const formatDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Calendar buckets by the dataset's local time (its time zone): local hours, dates,
 * ISO weeks (Monday first), months and years, read from the partition's own value.
 */
export function calendarScale(p: Partitioning, kind: CalendarBucketKind): BucketScale {
  const dateOf = (o: number): string => p.describe(o).date ?? String(p.valueOf(o)).slice(0, 10);
  const index: Record<CalendarBucketKind, (o: number) => number> = {
    // Intraday values are local ISO times (`2026-11-22T10:15:00+08:00`); a repeated hour at a
    // DST change keeps its index, so the index never decreases.
    hour: (o) => {
      const value = String(p.valueOf(o));
      return dayNumber(value) * 24 + (value.length > 10 ? Number(value.slice(11, 13)) : 0);
    },
    day: (o) => dayNumber(dateOf(o)),
    // 1970-01-01 was a Thursday: +3 makes weeks start on Mondays.
    week: (o) => Math.floor((dayNumber(dateOf(o)) + 3) / 7),
    month: (o) => {
      const d = dateOf(o);
      return Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)) - 1;
    },
    year: (o) => Number(dateOf(o).slice(0, 4)),
  };
  const label: Record<CalendarBucketKind, (i: number) => string> = {
    hour: (i) => `${formatDay(Math.floor(i / 24))} ${pad(((i % 24) + 24) % 24)}:00`,
    day: (i) => formatDay(i),
    week: (i) => `week of ${formatDay(i * 7 - 3)}`,
    month: (i) => `${Math.floor(i / 12)}-${pad((i % 12) + 1)}`,
    year: (i) => String(i),
  };
  return { kind, blockSize: null, index: index[kind], label: (i) => label[kind](i) };
}

/**
 * The bucket kinds a calendar may use over `[a, b]`: none finer than one of its
 * slots (a daily dataset has no hour buckets), finest first.
 */
export function calendarKindsFor(p: Partitioning, [a, b]: Range): CalendarBucketKind[] {
  const first = p.instantOf(a);
  const next = p.instantOf(Math.min(a + 1, b + 1));
  // Slots may be an hour shorter across a DST change; 0.9 keeps a daily slot a day.
  const slotMs = first === undefined || next === undefined ? 0 : (next - first) * 0.9;
  const kinds = CALENDAR_BUCKET_KINDS.filter((k) => SHORTEST_MS[k] >= slotMs);
  return kinds.length > 0 ? kinds : ['year'];
}

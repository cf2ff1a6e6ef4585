const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bucket lengths an activity chart steps through when it needs fewer, longer buckets. */
export const ACTIVITY_BUCKET_STEPS: readonly number[] = [
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
  30 * DAY,
  365 * DAY,
];

/** No activity answer holds more buckets than this. */
export const MAX_ACTIVITY_BUCKETS = 1000;
export const DEFAULT_ACTIVITY_BUCKETS = 60;

/** The buckets of an activity chart: `count` spans of `bucketMs` from `fromMs` (aligned), the last one holding `toMs - 1`. */
export interface ActivityWindow {
  fromMs: number;
  toMs: number;
  bucketMs: number;
  count: number;
}

/**
 * Cuts `[fromMs, toMs)` into at most `maxBuckets` buckets aligned to multiples of their
 * length since the epoch: `askedMs` (rounded up to whole minutes, the finest kept) when it
 * fits, else the first longer step of ACTIVITY_BUCKET_STEPS that does, else whole days.
 * Pure; `fromMs < toMs`.
 *
 * @example
 * activityWindow({ fromMs: 0, toMs: 86_400_000 }).bucketMs; // 1_800_000 (48 half hours)
 */
export function activityWindow(options: {
  fromMs: number;
  toMs: number;
  askedMs?: number | undefined;
  maxBuckets?: number | undefined;
}): ActivityWindow {
  const { toMs } = options;
  const maxBuckets = Math.max(
    1,
    Math.min(MAX_ACTIVITY_BUCKETS, options.maxBuckets ?? DEFAULT_ACTIVITY_BUCKETS),
  );
  const asked = Math.max(MINUTE, Math.ceil((options.askedMs ?? MINUTE) / MINUTE) * MINUTE);
  const cut = (bucketMs: number): ActivityWindow => {
    const fromMs = Math.floor(options.fromMs / bucketMs) * bucketMs;
    return { fromMs, toMs, bucketMs, count: Math.ceil((toMs - fromMs) / bucketMs) };
  };
  for (const step of [asked, ...ACTIVITY_BUCKET_STEPS.filter((s) => s > asked)]) {
    const w = cut(step);
    if (w.count <= maxBuckets) return w;
  }
  // Longer than the steps reach: whole days, as many as it takes (+1 for the alignment).
  let days = Math.ceil((toMs - options.fromMs) / DAY / maxBuckets);
  for (let w = cut(days * DAY); ; w = cut(++days * DAY)) if (w.count <= maxBuckets) return w;
}

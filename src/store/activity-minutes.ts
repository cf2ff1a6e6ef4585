/** Activity is kept per minute of the epoch: the finest span a chart shows. */
export const ACTIVITY_MINUTE_MS = 60_000;

/**
 * The minutes to read for `[fromMs, toMs)` in buckets of `bucketMs`, which must be a
 * whole number of minutes; both adapters check the same way.
 */
export function activityMinutes(
  fromMs: number,
  toMs: number,
  bucketMs: number,
): { fromMinute: number; toMinute: number; perBucket: number } {
  const perBucket = bucketMs / ACTIVITY_MINUTE_MS;
  if (!Number.isSafeInteger(perBucket) || perBucket < 1) {
    throw new RangeError(`listActivity: bucketMs must be a whole number of minutes, got ${bucketMs}`);
  }
  return {
    fromMinute: Math.ceil(fromMs / ACTIVITY_MINUTE_MS),
    toMinute: Math.ceil(toMs / ACTIVITY_MINUTE_MS),
    perBucket,
  };
}

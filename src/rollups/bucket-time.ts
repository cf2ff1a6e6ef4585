import type { RollupBucket } from '../config/compiled-rollups.js';
import { DAY_MS, offsetMs, wallTimeAt, wallToInstant } from '../domain/time-zone.js';

const UNIT_MS: Record<RollupBucket, number> = { minute: 60_000, hour: 3_600_000, day: DAY_MS };
const ORDER: readonly RollupBucket[] = ['minute', 'hour', 'day'];
const QUARTER_HOUR = 900_000;

/** Whether `coarse` is `fine` or wider (a series can be read at its bucket or any coarser one). */
export function isAtLeast(coarse: RollupBucket, fine: RollupBucket): boolean {
  return ORDER.indexOf(coarse) >= ORDER.indexOf(fine);
}

/**
 * Maps instants to the start of their bucket in a time zone. Minute and hour
 * buckets follow the local clock (a zone at +05:30 starts its hours at :30
 * UTC; a repeated fall-back hour is two buckets, each its own hour); day
 * buckets start at local midnight. Offsets are cached per quarter hour, so
 * the hot path asks Intl once per 15 minutes of event time, not per record.
 */
export interface BucketClock {
  readonly bucket: RollupBucket;
  readonly timezone: string;
  /** The start (epoch ms) of the bucket holding `instantMs`. */
  startOf(instantMs: number): number;
}

export function createBucketClock(bucket: RollupBucket, timezone: string): BucketClock {
  const unit = UNIT_MS[bucket];
  const utc = timezone === 'UTC' || timezone === 'Etc/UTC';
  const offsets = new Map<number, number>();
  const offsetAt = (t: number): number => {
    const slot = Math.floor(t / QUARTER_HOUR);
    let off = offsets.get(slot);
    if (off === undefined) {
      if (offsets.size > 4096) offsets.clear();
      off = offsetMs(timezone, slot * QUARTER_HOUR);
      offsets.set(slot, off);
    }
    return off;
  };
  return {
    bucket,
    timezone,
    startOf(instantMs) {
      if (utc) return Math.floor(instantMs / unit) * unit;
      if (bucket !== 'day') {
        const off = offsetAt(instantMs);
        return Math.floor((instantMs + off) / unit) * unit - off;
      }
      const wall = wallTimeAt(timezone, instantMs);
      return wallToInstant(timezone, Math.floor(wall / DAY_MS) * DAY_MS);
    },
  };
}

import { offsetMs } from '../time-zone.js';

/** Offsets are sampled this far apart; tzdata has no two changes closer than this in the range that matters. */
const STEP_MS = 6 * 3_600_000;
/** At most this many samples per query (32 days); longer spans fall back to exact per-instant conversion. */
const MAX_SAMPLES = 128;

/**
 * Remembers one span of instants over which a zone's UTC offset is known to be
 * constant, so a schedule stepping forward through time asks Intl a few times
 * per day instead of several times per occurrence.
 */
export interface ZoneOffsetCache {
  /** The zone's offset in ms at `instantMs`. */
  offsetAt(instantMs: number): number;
  /** The offset when it is the same at every instant of [fromMs, toMs], else undefined. */
  constantOffset(fromMs: number, toMs: number): number | undefined;
}

/** Creates the cache for one zone; each schedule owns its own, so nothing is shared between callers. */
export function createZoneOffsetCache(tz: string): ZoneOffsetCache {
  // The offset is `offset` at every instant of [lo, hi]; the span is empty when hi < lo.
  let lo = 0;
  let hi = -1;
  let offset = 0;

  const restart = (at: number): void => {
    offset = offsetMs(tz, at);
    lo = at;
    hi = at;
  };
  // Whole steps, overshooting the query: a schedule stepping seconds at a time then asks Intl every 6 hours.
  const extendUp = (to: number): boolean => {
    for (let n = 0; hi < to; n++) {
      if (n >= MAX_SAMPLES) return false;
      const t = hi + STEP_MS;
      if (offsetMs(tz, t) !== offset) return false;
      hi = t;
    }
    return true;
  };
  const extendDown = (from: number): boolean => {
    for (let n = 0; lo > from; n++) {
      if (n >= MAX_SAMPLES) return false;
      const t = lo - STEP_MS;
      if (offsetMs(tz, t) !== offset) return false;
      lo = t;
    }
    return true;
  };

  const constantOffset = (from: number, to: number): number | undefined => {
    const far = MAX_SAMPLES * STEP_MS;
    if (hi < lo || from > hi + far || to < lo - far) restart(from);
    if (from < lo && !extendDown(from)) {
      // The remembered span lies past a change; start again from the query.
      restart(from);
      return extendUp(to) ? offset : undefined;
    }
    if (to > hi && !extendUp(to)) {
      if (from <= lo) return undefined;
      restart(from);
      return extendUp(to) ? offset : undefined;
    }
    return offset;
  };

  return {
    constantOffset,
    offsetAt: (instantMs) => constantOffset(instantMs, instantMs) ?? offsetMs(tz, instantMs),
  };
}

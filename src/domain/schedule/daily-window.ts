import { DAY_MS, offsetMs } from '../time-zone.js';
import type { DueSequence } from './schedule.js';
import { createZoneOffsetCache } from './zone-offset-cache.js';

const LOCAL_TIME = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;
/** A rule that never fires inside its window stops being searched after this many windows (~4 years of days). */
const MAX_HOPS = 1500;

/** Milliseconds into the day of 'HH:MM' or 'HH:MM:SS' ('24:00' too, as an end); undefined when malformed. */
export function parseLocalTime(text: string): number | undefined {
  const m = LOCAL_TIME.exec(text);
  if (m === null) return undefined;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h === 24 && min === 0 && s === 0) return DAY_MS;
  if (h > 23 || min > 59 || s > 59) return undefined;
  return ((h * 60 + min) * 60 + s) * 1000;
}

/**
 * The instants whose local clock time in `tz` lies in [start, end) — a daily
 * window such as 20:55-21:05. `end` before `start` spans midnight. The window
 * follows the clock: on a fall-back day a window inside the repeated hour is
 * open twice, on a spring-forward day a window inside the skipped hour is not
 * open at all.
 */
export interface DailyWindow {
  contains(instantMs: number): boolean;
  /** An instant after `instantMs` (which is outside) at or before the window next opens. */
  nextOpening(instantMs: number): number;
  /** An instant after `instantMs` (which is inside) at or before the window next closes. */
  nextClosing(instantMs: number): number;
}

export function createDailyWindow(tz: string, startMs: number, endMs: number): DailyWindow {
  const zone = createZoneOffsetCache(tz);
  const timeOfDay = (t: number): number => {
    const wall = t + zone.offsetAt(t);
    return wall - Math.floor(wall / DAY_MS) * DAY_MS;
  };
  const contains =
    startMs < endMs
      ? (t: number) => {
          const tod = timeOfDay(t);
          return tod >= startMs && tod < endMs;
        }
      : (t: number) => {
          const tod = timeOfDay(t);
          return tod >= startMs || tod < endMs;
        };

  // The clock runs without jumps until the next offset change, so the first
  // instant after `t` whose clock reads `boundary` is where the window changes,
  // unless an offset change comes first; then that change is the safe answer.
  const nextBoundary = (t: number, boundary: number): number => {
    const offset = zone.offsetAt(t);
    const wall = t + offset;
    let w = Math.floor(wall / DAY_MS) * DAY_MS + (boundary % DAY_MS);
    if (w <= wall) w += DAY_MS;
    const candidate = w - offset;
    if (zone.constantOffset(t, candidate) === offset) return candidate;
    return firstChangeAfter(tz, t, candidate, offset);
  };

  return {
    contains,
    nextOpening: (t) => nextBoundary(t, startMs),
    nextClosing: (t) => nextBoundary(t, endMs),
  };
}

/**
 * The first instant in (fromMs, toMs] where the offset is no longer `offset`, to the second. When the
 * offset at toMs is `offset` again (two changes within a day; tzdata has none) the only safe answer is fromMs + 1.
 */
function firstChangeAfter(tz: string, fromMs: number, toMs: number, offset: number): number {
  if (offsetMs(tz, toMs) === offset) return fromMs + 1;
  let lo = Math.floor(fromMs / 1000);
  let hi = Math.ceil(toMs / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(tz, mid * 1000) !== offset) hi = mid;
    else lo = mid;
  }
  return Math.max(fromMs + 1, Math.min(toMs, hi * 1000));
}

/**
 * Keeps the due times of `inner` that fall inside `window`, jumping over closed
 * stretches instead of stepping through them.
 */
export function withinWindow(inner: DueSequence, window: DailyWindow): DueSequence {
  const next = (afterMs: number): number | undefined => {
    let t = inner.next(afterMs);
    for (let hops = 0; t !== undefined; hops++) {
      if (window.contains(t)) return t;
      if (hops >= MAX_HOPS) return undefined;
      t = inner.next(window.nextOpening(t) - 1);
    }
    return undefined;
  };
  const innerCount = inner.countBetween?.bind(inner);
  if (innerCount === undefined) return { next };
  return {
    next,
    // One arithmetic count per open stretch: a 3-day range costs three windows, not thousands of steps.
    countBetween(fromExclusiveMs, toInclusiveMs) {
      let total = 0;
      let t = fromExclusiveMs;
      while (t < toInclusiveMs) {
        const first = next(t);
        if (first === undefined || first > toInclusiveMs) break;
        const end = Math.min(toInclusiveMs, window.nextClosing(first) - 1);
        total += innerCount(first - 1, end);
        t = end;
      }
      return total;
    },
  };
}

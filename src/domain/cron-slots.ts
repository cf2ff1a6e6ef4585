import { Cron, CronPattern } from 'croner';
import { MIN_MS } from './calendar-input.js';
import type { SlotScheme } from './calendar-slots.js';
import { CRON_FORMS, cronShapeProblem } from './cron-fields.js';
import { RangeSet } from './range-set.js';
import {
  createOffsetTimeline,
  DAY_MS,
  formatDayNumber,
  localDayNumber,
  maxWallUpTo,
  wallToInstant,
} from './time-zone.js';

/**
 * Cron calendars: ordinal = the occurrence's epoch minute (epoch second for
 * 6-field expressions).
 *
 * Croner decides which *wall times* match (run with `utcOffset: 0`, so a wall
 * time is just fake-UTC ms); converting them to instants is ours. Two reasons:
 * croner with `timezone` builds a new Intl.DateTimeFormat on every step (~270 µs
 * per occurrence), and its DST handling is not monotonic (a skipped 02:30 fires at
 * 03:30, after the real 03:00, and `nextRuns` can repeat an instant). We use the
 * rule in time-zone.ts instead: a skipped time fires at the end of the gap, a
 * repeated time fires once, at its first occurrence.
 */
export function createCronSlots(tz: string, expression: string): SlotScheme {
  const shape = cronShapeProblem(expression);
  if (shape !== undefined) throw new Error(`calendar ${shape}`);
  let job: Cron;
  let pattern: CronPattern;
  try {
    pattern = new CronPattern(expression, undefined, { mode: '5-or-6-parts' });
    job = new Cron(expression, { utcOffset: 0, paused: true, mode: '5-or-6-parts' });
  } catch (error) {
    throw new Error(
      `calendar cron ${JSON.stringify(expression)} is not valid (${(error as Error).message}); ${CRON_FORMS}`,
    );
  }
  const unit = pattern.pattern.trim().split(/\s+/).length === 6 ? 1000 : 60_000;
  if (job.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) {
    throw new Error(
      `calendar cron ${JSON.stringify(expression)} never fires (e.g. a day that no month has); fix the day or month fields`,
    );
  }

  // Within a matching day every hour x minute x second combination matches, so
  // a day's times are listed once and croner is only asked which days match.
  const times: number[] = [];
  for (let h = 0; h < 24; h++) {
    if (!pattern.hour[h]) continue;
    for (let m = 0; m < 60; m++) {
      if (!pattern.minute[m]) continue;
      for (let s = 0; s < 60; s++) if (pattern.second[s]) times.push(((h * 60 + m) * 60 + s) * 1000);
    }
  }

  /** First matching wall time strictly after `wall`. */
  const wallAfter = (wall: number): number | undefined => job.nextRun(new Date(wall))?.getTime();

  /** Latest matching wall time at or before the whole-second wall `w`. */
  const wallAtOrBefore = (w: number): number | undefined => {
    try {
      const p = job.previousRuns(1, new Date(w + 1000))[0]?.getTime();
      // Verified rather than trusted: croner's backward search is less exercised than its forward one.
      if (p !== undefined && p <= w && job.match(new Date(p))) {
        const n = wallAfter(p);
        if (n === undefined || n > w) return p;
      }
    } catch {
      // croner 10 throws a TypeError inside previousRuns for some patterns (e.g. '0 0 29 2 *').
    }
    for (let span = unit; w - span >= MIN_MS; span *= 2) {
      let c = wallAfter(w - span);
      if (c === undefined || c > w) continue;
      for (let n = wallAfter(c); n !== undefined && n <= w; n = wallAfter(c)) c = n;
      return c;
    }
    return undefined;
  };

  /** The latest occurrence at or before `ms`. */
  const occurrenceAtOrBefore = (ms: number): number | undefined => {
    // The wall clock may have shown later times before a fall-back change; those occurrences are already past.
    const w = wallAtOrBefore(Math.floor(maxWallUpTo(tz, ms) / 1000) * 1000);
    return w === undefined ? undefined : wallToInstant(tz, w);
  };

  /** The earliest occurrence at or after `ms`. */
  const occurrenceAtOrAfter = (ms: number): number | undefined => {
    const w = wallAfter(maxWallUpTo(tz, ms - 1));
    return w === undefined ? undefined : wallToInstant(tz, w);
  };

  // Records usually arrive in time order, many per occurrence, so remember the
  // last occurrence window [start, next) and answer repeats without Intl or croner.
  let cacheStart = 1;
  let cacheEnd = 0;
  let cacheOrdinal = 0;
  const slotOfInstant = (ms: number): number | undefined => {
    if (ms >= cacheStart && ms < cacheEnd) return cacheOrdinal;
    const occ = occurrenceAtOrBefore(ms);
    if (occ === undefined) return undefined;
    cacheStart = occ;
    cacheEnd = occurrenceAtOrAfter(occ + 1) ?? Number.POSITIVE_INFINITY;
    cacheOrdinal = Math.floor(occ / unit);
    return cacheOrdinal;
  };

  let lastDayOrdinal = Number.NaN;
  let lastDay = 0;
  const dayOf = (o: number): number => {
    if (o !== lastDayOrdinal) {
      lastDay = localDayNumber(tz, o * unit);
      lastDayOrdinal = o;
    }
    return lastDay;
  };

  return {
    daily: false,
    slotOfInstant,
    slotOfDate(day) {
      const w = wallAfter(day * DAY_MS - 1);
      if (w === undefined || w >= (day + 1) * DAY_MS) {
        return {
          error: `partition ${formatDayNumber(day)} has no occurrence of cron ${JSON.stringify(expression)}`,
        };
      }
      return Math.floor(wallToInstant(tz, w) / unit);
    },
    latestAtOrBefore: (ms) => {
      const occ = occurrenceAtOrBefore(ms);
      return occ === undefined ? undefined : Math.floor(occ / unit);
    },
    firstAtOrAfter: (ms) => {
      const occ = occurrenceAtOrAfter(ms);
      return occ === undefined ? undefined : Math.floor(occ / unit);
    },
    startOf: (o) => o * unit,
    dayOf,
    expected(from, to, excluded) {
      const set = new RangeSet();
      const lo = from * unit;
      const hi = (to + 1) * unit - 1;
      if (hi < lo) return set;
      const timeline = createOffsetTimeline(tz, lo, hi);
      let last = Number.NaN;
      let checkedDay = Number.NaN;
      let dayExcluded = false;
      // Wall-to-instant is monotonic, so walking matching wall times in order
      // yields non-decreasing instants and the walk can stop at the first past `hi`.
      let w = wallAfter(maxWallUpTo(tz, lo - 1));
      while (w !== undefined) {
        const dayWall = Math.floor(w / DAY_MS) * DAY_MS;
        for (let i = lowerBound(times, w - dayWall); i < times.length; i++) {
          const occ = timeline.wallToInstant(dayWall + times[i]!);
          if (occ > hi) return set;
          const ordinal = Math.floor(occ / unit);
          if (ordinal === last) continue; // two skipped wall times can land on one transition instant
          last = ordinal;
          if (excluded !== undefined) {
            const day = Math.floor((occ + timeline.offsetAt(occ)) / DAY_MS);
            if (day !== checkedDay) {
              checkedDay = day;
              dayExcluded = excluded(day);
            }
            if (dayExcluded) continue;
          }
          set.add(ordinal);
        }
        w = wallAfter(dayWall + DAY_MS - 1);
      }
      return set;
    },
  };
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

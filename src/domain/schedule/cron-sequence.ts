import { Cron, CronPattern } from 'croner';
import { GapwardenError } from '../../internal/errors.js';
import { CRON_FORMS, cronShapeProblem } from '../cron-fields.js';
import { DAY_MS, maxWallUpTo, wallToInstant } from '../time-zone.js';
import type { DueSequence } from './schedule.js';
import { createZoneOffsetCache } from './zone-offset-cache.js';

/** How far back a fall-back change can still affect which wall times were already shown (as in time-zone.ts). */
const LOOKBACK_MS = 6 * 3_600_000;

/**
 * Due times of a cron expression (5 fields, or 6 with seconds first) read as
 * local time in `timezone`.
 *
 * Croner only decides which *wall times* match (it runs with `utcOffset: 0`);
 * turning them into instants follows the rule in domain/time-zone.ts, the same
 * one cron calendars use, so a collection schedule and a calendar with the
 * same expression agree on every occurrence:
 *
 * - a wall time skipped by a spring-forward change runs once, at the first
 *   valid instant (02:30 on New York's spring-forward day runs at 03:00 EDT);
 *   several skipped times (`*\/15 2 * * *`) collapse into that one run;
 * - a wall time repeated by a fall-back change runs once, at its first
 *   occurrence; the repeated hour is not run again.
 *
 * Croner's own `timezone` option is not used: it fires a skipped 02:30 at
 * 03:30, and costs ~250 µs per step. Within a day croner is not asked at all:
 * the next matching time of day is table arithmetic, and croner only says
 * which days match (once per day), so a step costs well under a microsecond.
 *
 * @example
 * const seq = createCronSequence('0 2 * * *', 'Asia/Shanghai');
 * seq.next(Date.parse('2026-01-01T00:00:00Z')); // 2026-01-01T18:00:00Z (02:00 +08:00 on the 2nd)
 */
export function createCronSequence(expression: string, timezone = 'UTC'): DueSequence {
  const { job, timeAfter } = sharedCron(expression);
  let knownDay = Number.NaN;
  let knownDayMatches = false;
  /** The first matching wall time after the whole second of `wall` (croner's nextRun semantics). */
  const wallAfter = (wall: number): number | undefined => {
    const day = Math.floor(wall / DAY_MS) * DAY_MS;
    if (day !== knownDay) {
      knownDay = day;
      const first = job.nextRun(new Date(day - 1))?.getTime();
      knownDayMatches = first !== undefined && first < day + DAY_MS;
    }
    if (knownDayMatches) {
      const time = timeAfter(Math.floor((wall - day) / 1000));
      if (time >= 0) return day + time * 1000;
    }
    return job.nextRun(new Date(day + DAY_MS - 1))?.getTime();
  };
  const zone = createZoneOffsetCache(timezone);

  const next = (afterMs: number): number | undefined => {
    // Fast path: the offset is constant from 6 h before `afterMs` to the result, so no change is involved.
    const offset = zone.constantOffset(afterMs - LOOKBACK_MS, afterMs);
    if (offset !== undefined) {
      const wall = wallAfter(afterMs + offset);
      if (wall === undefined) return undefined;
      if (zone.constantOffset(afterMs - LOOKBACK_MS, wall - offset) === offset) return wall - offset;
    }
    // Exact path around a change: continue after the latest wall time already shown.
    const wall = wallAfter(maxWallUpTo(timezone, afterMs));
    return wall === undefined ? undefined : wallToInstant(timezone, wall);
  };
  return { next };
}

// Croner allocates a 10,000-entry year table per pattern (~80 KB per Cron), so 10,000 jobs would hold
// ~800 MB. A paused Cron that is never scheduled is immutable (nextRun and match only read its pattern),
// so schedules with the same expression share one, like time-zone.ts shares its formatters. Bounded so a
// long-lived process compiling ever-new expressions cannot grow it without limit.
const sharedCrons = new Map<string, SharedCron>();
const SHARED_MAX = 1024;

interface SharedCron {
  job: Cron;
  /** The first matching second of the day strictly after `secondOfDay`, or -1 when none is left that day. */
  timeAfter(secondOfDay: number): number;
}

/** Validates a cron expression; throws CONFIG_INVALID naming the problem. Returns a shared, read-only Cron. */
export function parseCron(expression: string): Cron {
  return sharedCron(expression).job;
}

function sharedCron(expression: string): SharedCron {
  const known = sharedCrons.get(expression);
  if (known !== undefined) return known;
  const shape = cronShapeProblem(expression);
  if (shape !== undefined) throw new GapwardenError('CONFIG_INVALID', shape);
  let job: Cron;
  try {
    job = new Cron(expression, { utcOffset: 0, paused: true, mode: '5-or-6-parts' });
  } catch (error) {
    throw new GapwardenError(
      'CONFIG_INVALID',
      `cron ${JSON.stringify(expression)} is not valid (${(error as Error).message}); ${CRON_FORMS}`,
      { cause: error },
    );
  }
  if (job.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) {
    throw new GapwardenError(
      'CONFIG_INVALID',
      `cron ${JSON.stringify(expression)} never fires (e.g. a day that no month has); fix the day or month fields`,
    );
  }
  const shared = { job, timeAfter: timeOfDayTable(expression) };
  if (sharedCrons.size >= SHARED_MAX) sharedCrons.delete(sharedCrons.keys().next().value!);
  sharedCrons.set(expression, shared);
  return shared;
}

/**
 * Within a matching day every hour x minute x second combination matches, so
 * the next time of day is found with three "next set index" tables.
 */
function timeOfDayTable(expression: string): (secondOfDay: number) => number {
  const pattern = new CronPattern(expression, undefined, { mode: '5-or-6-parts' });
  // nextSet(field)[i] = the smallest j >= i that the field matches, or field.length when none.
  const nextSet = (field: readonly number[]): Int8Array => {
    const out = new Int8Array(field.length + 1).fill(field.length);
    for (let i = field.length - 1; i >= 0; i--) out[i] = field[i] ? i : out[i + 1]!;
    return out;
  };
  const sec = nextSet(pattern.second);
  const min = nextSet(pattern.minute);
  const hour = nextSet(pattern.hour);
  const at = (h: number, m: number, s: number) => (h * 60 + m) * 60 + s;
  return (secondOfDay) => {
    const h = Math.floor(secondOfDay / 3600);
    const m = Math.floor(secondOfDay / 60) % 60;
    const s = secondOfDay % 60;
    if (hour[h] === h && min[m] === m && sec[s + 1]! < 60) return at(h, m, sec[s + 1]!);
    if (hour[h] === h && min[m + 1]! < 60) return at(h, min[m + 1]!, sec[0]!);
    if (hour[h + 1]! < 24) return at(hour[h + 1]!, min[0]!, sec[0]!);
    return -1;
  };
}

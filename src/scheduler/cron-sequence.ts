import { Cron } from 'croner';
import { maxWallUpTo, wallToInstant } from '../domain/time-zone.js';
import { GapwardenError } from '../internal/errors.js';
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
 * 03:30, and costs ~250 µs per step against ~2 µs here.
 *
 * @example
 * const seq = createCronSequence('0 2 * * *', 'Asia/Shanghai');
 * seq.next(Date.parse('2026-01-01T00:00:00Z')); // 2026-01-01T18:00:00Z (02:00 +08:00 on the 2nd)
 */
export function createCronSequence(expression: string, timezone = 'UTC'): DueSequence {
  const job = parseCron(expression);
  const wallAfter = (wall: number): number | undefined => job.nextRun(new Date(wall))?.getTime();
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

/** Validates a cron expression; throws CONFIG_INVALID naming the problem. */
export function parseCron(expression: string): Cron {
  let job: Cron;
  try {
    job = new Cron(expression, { utcOffset: 0, paused: true, mode: '5-or-6-parts' });
  } catch (error) {
    throw new GapwardenError(
      'CONFIG_INVALID',
      `cron ${JSON.stringify(expression)} is not valid (${(error as Error).message}); use 5 fields 'minute hour day month weekday' such as '0 2 * * *', or 6 with seconds first such as '*/10 * * * * *'`,
      { cause: error },
    );
  }
  if (job.nextRun(new Date(Date.UTC(2000, 0, 1))) === null) {
    throw new GapwardenError(
      'CONFIG_INVALID',
      `cron ${JSON.stringify(expression)} never fires (e.g. a day that no month has); fix the day or month fields`,
    );
  }
  return job;
}

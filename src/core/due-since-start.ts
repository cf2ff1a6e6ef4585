import type { Partitioning } from '../domain/partitioning.js';

/** The partitions a calendar dataset expects from its `start` through the newest one due now. */
export interface DueSinceStart {
  /** How many partitions are due (excluded days and non-occurrences left out). */
  count: number;
  /** The first expected ordinal (the start's). */
  first: number;
  /** The newest ordinal due now. */
  latest: number;
}

/**
 * Counts what a calendar dataset should hold by now, from its `start` through
 * its latest due partition: what an empty dataset lacks. Undefined for
 * sequences (their newest partition is only known from the source), calendars
 * without a start, and a start that lies ahead. The count is kept per
 * partitioning and extended as time moves on, so a cron calendar years long
 * is enumerated once, not on every status call.
 */
export function createDueSinceStart(): (p: Partitioning, nowMs: number) => DueSinceStart | undefined {
  const counted = new WeakMap<Partitioning, { through: number; count: number }>();
  return (p, nowMs) => {
    const first = p.firstOrdinal;
    if (p.kind !== 'calendar' || first === undefined) return undefined;
    const latest = p.latestDue(nowMs);
    if (latest === undefined || latest < first) return undefined;
    let known = counted.get(p);
    // A clock moved backwards starts the count over.
    if (!known || known.through > latest) known = { through: first - 1, count: 0 };
    if (latest > known.through)
      known = { through: latest, count: known.count + p.expected(known.through + 1, latest).size };
    counted.set(p, known);
    return { count: known.count, first, latest };
  };
}

import type { Partitioning } from '../domain/partitioning.js';
import { GapwardenError } from '../internal/errors.js';

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC day (`YYYY-MM-DD`) an instant falls on. */
export const utcDay = (ms: number): string =>
  new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

/** When a UTC day starts, ms; throws REQUEST_INVALID naming the expected form. */
export function dayStart(day: string): number {
  const m = DAY.exec(day);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || Number.isNaN(ms) || utcDay(ms) !== day) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `day ${JSON.stringify(day)} is not a date: use YYYY-MM-DD (a UTC day)`,
    );
  }
  return ms;
}

export const nextDay = (day: string): string => utcDay(dayStart(day) + DAY_MS);

/** The days from `from` to `to`, both included, ascending. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let ms = dayStart(from), end = dayStart(to); ms <= end; ms += DAY_MS) out.push(utcDay(ms));
  return out;
}

/**
 * The smallest ordinal whose partition starts at or after `ms`, found by
 * galloping from `seed` then bisecting: a calendar's instants grow with its
 * ordinals, whatever its rule (interval slots, local days, cron occurrences).
 */
export function firstOrdinalAtOrAfter(p: Partitioning, ms: number, seed: number): number {
  const at = (o: number) => p.instantOf(o) ?? Number.NaN;
  let lo: number;
  let hi: number;
  if (at(seed) >= ms) {
    hi = seed;
    let step = 1;
    lo = seed - step;
    while (at(lo) >= ms) {
      hi = lo;
      step *= 2;
      lo = seed - step;
    }
  } else {
    lo = seed;
    let step = 1;
    hi = seed + step;
    while (at(hi) < ms) {
      lo = hi;
      step *= 2;
      hi = seed + step;
    }
  }
  // at(lo) < ms <= at(hi)
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (at(mid) >= ms) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The ordinals `[from, to]` of the partitions starting within a UTC day (to < from: none). */
export function dayOrdinals(p: Partitioning, day: string, seed: number): { from: number; to: number } {
  if (p.kind !== 'calendar') {
    throw new GapwardenError(
      'REQUEST_INVALID',
      'only a dataset partitioned by a calendar is archived by days',
    );
  }
  const start = dayStart(day);
  const from = firstOrdinalAtOrAfter(p, start, seed);
  const to = firstOrdinalAtOrAfter(p, start + DAY_MS, from) - 1;
  return { from, to };
}

/** Where a part's object goes: `<dataset>/<YYYY>/<MM>/<day>/part-<n>.jsonl.gz`, one folder per day. */
export const objectKeyOf = (dataset: string, day: string, part: number): string =>
  `${dataset}/${day.slice(0, 4)}/${day.slice(5, 7)}/${day}/part-${String(part).padStart(4, '0')}.jsonl.gz`;

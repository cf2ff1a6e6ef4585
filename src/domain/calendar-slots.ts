import { RangeSet } from './range-set.js';
import { DAY_MS, localDayNumber, offsetMs, wallToInstant } from './time-zone.js';

/**
 * How one kind of calendar (fixed interval, whole days, cron) numbers its
 * slots. The calendar partitioning layers parsing, `start`, exclusions and
 * formatting on top, so each scheme only does ordinal arithmetic.
 */
export interface SlotScheme {
  /** Partitions are whole local days, named 'YYYY-MM-DD'. */
  readonly daily: boolean;
  /** The slot a record stamped with this instant belongs to. */
  slotOfInstant(ms: number): number | undefined;
  /** The slot a bare local date names, or why there is none. */
  slotOfDate(day: number): number | { error: string };
  /** The newest slot starting at or before `ms`. */
  latestAtOrBefore(ms: number): number | undefined;
  /** The oldest slot starting at or after `ms`. */
  firstAtOrAfter(ms: number): number | undefined;
  /** When the slot starts, in epoch ms. */
  startOf(ordinal: number): number;
  /** The local day number the slot starts on (what exclusions look at). */
  dayOf(ordinal: number): number;
  /** Slots in `[from, to]`, leaving out those starting on a day `excluded` rejects. */
  expected(from: number, to: number, excluded: ((day: number) => boolean) | undefined): RangeSet;
}

/** The instant local day `day` begins in `tz` (the transition instant if midnight is skipped). */
export function dayStart(tz: string, day: number): number {
  return wallToInstant(tz, day * DAY_MS);
}

/**
 * The zone's standard (non-DST) offset: the smaller of its January and July
 * offsets. Fixed reference dates, not the clock, so stored ordinals never shift.
 */
export function standardOffsetMs(tz: string): number {
  return Math.min(offsetMs(tz, Date.UTC(2026, 0, 15)), offsetMs(tz, Date.UTC(2026, 6, 15)));
}

/**
 * Every N minutes or hours: ordinal = floor((instant + standard offset) / interval),
 * so slots line up with local clock hours in zones like Asia/Kolkata (+05:30)
 * and a DST day simply has one slot more or fewer.
 */
export function createIntervalSlots(tz: string, intervalMs: number): SlotScheme {
  const std = standardOffsetMs(tz);
  const floorSlot = (ms: number): number => Math.floor((ms + std) / intervalMs);
  const ceilSlot = (ms: number): number => -Math.floor(-(ms + std) / intervalMs);
  const startOf = (o: number): number => o * intervalMs - std;
  const dayOf = (o: number): number => localDayNumber(tz, startOf(o));
  return {
    daily: false,
    slotOfInstant: floorSlot,
    slotOfDate: (day) => floorSlot(dayStart(tz, day)),
    latestAtOrBefore: floorSlot,
    firstAtOrAfter: ceilSlot,
    startOf,
    dayOf,
    expected(from, to, excluded) {
      const set = new RangeSet();
      if (to < from) return set;
      if (excluded === undefined) {
        set.addRange(from, to);
        return set;
      }
      // One step per local day, not per slot, so a year of 5-minute slots is ~365 steps.
      for (let first = from; first <= to; ) {
        const day = dayOf(first);
        const next = ceilSlot(dayStart(tz, day + 1));
        if (!excluded(day)) set.addRange(first, Math.min(to, next - 1));
        first = next;
      }
      return set;
    },
  };
}

/**
 * Every N days: ordinal = floor(local day number / N). A record belongs to the
 * slot of its local date; `atMs` (time of day) only sets when the slot starts,
 * i.e. when the partition becomes due.
 */
export function createDaySlots(tz: string, days: number, atMs: number): SlotScheme {
  const startOf = (o: number): number => wallToInstant(tz, o * days * DAY_MS + atMs);
  const slotOfDay = (day: number): number => Math.floor(day / days);
  return {
    daily: true,
    slotOfInstant: (ms) => slotOfDay(localDayNumber(tz, ms)),
    slotOfDate: slotOfDay,
    latestAtOrBefore(ms) {
      const o = slotOfDay(localDayNumber(tz, ms));
      return startOf(o) > ms ? o - 1 : o;
    },
    firstAtOrAfter(ms) {
      const o = slotOfDay(localDayNumber(tz, ms));
      return startOf(o) < ms ? o + 1 : o;
    },
    startOf,
    dayOf: (o) => o * days,
    expected(from, to, excluded) {
      const set = new RangeSet();
      if (to < from) return set;
      if (excluded === undefined) {
        set.addRange(from, to);
        return set;
      }
      for (let o = from; o <= to; o++) if (!excluded(o * days)) set.add(o);
      return set;
    },
  };
}

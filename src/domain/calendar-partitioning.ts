import { dayOfWall, parseCalendarInput } from './calendar-input.js';
import { type CalendarOptions, compileCalendarOptions } from './calendar-options.js';
import { createDaySlots, createIntervalSlots, dayStart, type SlotScheme } from './calendar-slots.js';
import { createCronSlots } from './cron-slots.js';
import type { Partitioning } from './partitioning.js';
import { formatDayNumber, formatZoned, wallToInstant, weekdayOfDayNumber } from './time-zone.js';

export type { CalendarOptions } from './calendar-options.js';

const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** Skipping excluded days walks one day per step; this bounds it (ten years) should exclusions cover everything. */
const MAX_SKIPPED_DAYS = 3660;

/**
 * A calendar partitioning: slots every N minutes/hours/days or on a cron
 * schedule, in a time zone, with optional excluded weekdays and dates.
 * Options are validated eagerly; a bad option throws here, not per record.
 *
 * @example
 * const p = createCalendarPartitioning({ every: '1d', at: '02:00', timezone: 'Asia/Shanghai', exclude: { weekdays: [0, 6] } });
 * const o = p.toOrdinal('2026-11-20'); // a Friday
 * p.valueOf(o as number); // '2026-11-20'
 * p.toOrdinal('2026-11-21'); // { error: 'partition 2026-11-21 falls on an excluded weekday (Sat)' }
 * new Date(p.instantOf(o as number)!).toISOString(); // '2026-11-19T18:00:00.000Z'
 */
export function createCalendarPartitioning(options: CalendarOptions): Partitioning {
  const compiled = compileCalendarOptions(options);
  const tz = compiled.timezone;
  const { rule, excludedWeekdays, excludedDays } = compiled;
  const scheme: SlotScheme =
    rule.kind === 'interval'
      ? createIntervalSlots(tz, rule.intervalMs)
      : rule.kind === 'days'
        ? createDaySlots(tz, rule.days, rule.atMs)
        : createCronSlots(tz, rule.expression);

  const hasExclusions = excludedDays.size > 0 || excludedWeekdays.some(Boolean);
  const isExcludedDay = hasExclusions
    ? (day: number): boolean => excludedWeekdays[weekdayOfDayNumber(day)] === true || excludedDays.has(day)
    : undefined;

  const valueOfOrdinal = (ordinal: number): string =>
    scheme.daily ? formatDayNumber(scheme.dayOf(ordinal)) : formatZoned(tz, scheme.startOf(ordinal));

  /** The first slot at or after `ms` that is not excluded. */
  const firstIncluded = (ms: number): number | undefined => {
    let o = scheme.firstAtOrAfter(ms);
    for (let i = 0; o !== undefined && isExcludedDay?.(scheme.dayOf(o)) && i < MAX_SKIPPED_DAYS; i++) {
      o = scheme.firstAtOrAfter(dayStart(tz, scheme.dayOf(o) + 1));
    }
    return o;
  };

  let firstOrdinal: number | undefined;
  const start = compiled.start;
  if (start !== undefined) {
    const input = start.input;
    const startMs =
      input.kind === 'date'
        ? dayStart(tz, input.day)
        : input.kind === 'wall'
          ? wallToInstant(tz, input.wall)
          : input.ms;
    firstOrdinal = firstIncluded(startMs);
    if (firstOrdinal === undefined) {
      throw new Error(
        `calendar start ${JSON.stringify(start.text)} has no slot at or after it; move start earlier`,
      );
    }
  }

  const toOrdinal = (raw: unknown): number | { error: string } => {
    const input = parseCalendarInput(raw);
    if ('error' in input) return input;
    let ordinal: number | { error: string } | undefined;
    if (input.kind === 'date') ordinal = scheme.slotOfDate(input.day);
    else if (input.kind === 'wall') {
      // Day calendars name the local date directly, so a wall time needs no zone lookup.
      ordinal = scheme.daily
        ? scheme.slotOfDate(dayOfWall(input.wall))
        : scheme.slotOfInstant(wallToInstant(tz, input.wall));
    } else ordinal = scheme.slotOfInstant(input.ms);
    if (ordinal === undefined)
      return { error: `partition ${JSON.stringify(raw)} has no calendar slot at or before it` };
    if (typeof ordinal !== 'number') return ordinal;
    if (firstOrdinal !== undefined && ordinal < firstOrdinal) {
      return { error: `partition ${valueOfOrdinal(ordinal)} is before the dataset's start ${start?.text}` };
    }
    if (isExcludedDay !== undefined) {
      const day = scheme.dayOf(ordinal);
      if (excludedDays.has(day)) {
        return {
          error: `partition ${valueOfOrdinal(ordinal)} falls on an excluded date (${formatDayNumber(day)})`,
        };
      }
      const weekday = weekdayOfDayNumber(day);
      if (excludedWeekdays[weekday]) {
        return {
          error: `partition ${valueOfOrdinal(ordinal)} falls on an excluded weekday (${WEEKDAY_NAMES[weekday]})`,
        };
      }
    }
    return ordinal;
  };

  return {
    kind: 'calendar',
    toOrdinal,
    valueOf: valueOfOrdinal,
    describe(ordinal) {
      const ms = scheme.startOf(ordinal);
      return {
        partition: valueOfOrdinal(ordinal),
        date: formatDayNumber(scheme.dayOf(ordinal)),
        unix: String(Math.floor(ms / 1000)),
        ms: String(ms),
        iso: new Date(ms).toISOString(),
      };
    },
    expected(from, to) {
      // Slots before the configured start can never be accepted, so they are never expected.
      const lo = firstOrdinal === undefined ? from : Math.max(from, firstOrdinal);
      return scheme.expected(lo, to, isExcludedDay);
    },
    firstOrdinal,
    latestDue(nowMs) {
      let o = scheme.latestAtOrBefore(nowMs);
      for (let i = 0; o !== undefined && isExcludedDay?.(scheme.dayOf(o)) && i < MAX_SKIPPED_DAYS; i++) {
        o = scheme.latestAtOrBefore(dayStart(tz, scheme.dayOf(o)) - 1);
      }
      if (o === undefined || (firstOrdinal !== undefined && o < firstOrdinal)) return undefined;
      return o;
    },
    instantOf: (ordinal) => scheme.startOf(ordinal),
  };
}

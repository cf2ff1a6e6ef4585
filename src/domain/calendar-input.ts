import { describeValue } from './describe-value.js';
import { DAY_MS, dateToDayNumber, isValidDate, utcMs } from './time-zone.js';

/** A raw calendar partition value, classified before the zone is applied. */
export type CalendarInput =
  /** A local date given alone ('2026-11-22'), as a day number. */
  | { kind: 'date'; day: number }
  /** A local date-time without offset ('2026-11-22 02:05'), as a wall time. */
  | { kind: 'wall'; wall: number }
  /** An absolute instant: ISO with Z/offset, unix seconds or ms, or a Date. */
  | { kind: 'instant'; ms: number };

/** 0001-01-01T00:00Z and 10000-01-01T00:00Z: the range Intl and 'YYYY' strings can both express. */
export const MIN_MS = utcMs(1, 1, 1);
export const MAX_MS = utcMs(10000, 1, 1);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2})(?::(\d{2}))?)?)?$/;

const ACCEPTED =
  "a date 'YYYY-MM-DD', an ISO date-time ('2026-11-22T02:05:00+08:00', or without offset for local time) or a unix timestamp number";

/**
 * Classifies a record's raw partition value. Numbers below 1e11 are unix
 * seconds (1e11 s is the year 5138), larger ones milliseconds.
 *
 * @example
 * parseCalendarInput('2026-11-22'); // { kind: 'date', day: 20779 }
 * parseCalendarInput(1763750700); // { kind: 'instant', ms: 1763750700000 }
 * parseCalendarInput('2026-02-30'); // { error: 'partition "2026-02-30" is not a real calendar date' }
 */
export function parseCalendarInput(raw: unknown): CalendarInput | { error: string } {
  if (typeof raw === 'string') return parseText(raw);
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return { error: `partition must be ${ACCEPTED}, found ${raw}` };
    const ms = Math.abs(raw) < 1e11 ? Math.round(raw * 1000) : raw;
    return instant(ms, raw);
  }
  if (raw instanceof Date) {
    const ms = raw.getTime();
    if (Number.isNaN(ms)) return { error: `partition must be ${ACCEPTED}, found an invalid Date` };
    return instant(ms, raw);
  }
  return { error: `partition must be ${ACCEPTED}, found ${describeValue(raw)}` };
}

function instant(ms: number, raw: unknown): CalendarInput | { error: string } {
  if (ms < MIN_MS || ms >= MAX_MS) {
    return { error: `partition timestamp ${describeValue(raw)} is outside the years 0001-9999` };
  }
  return { kind: 'instant', ms };
}

function parseText(text: string): CalendarInput | { error: string } {
  const d = DATE.exec(text);
  if (d !== null) {
    const [year, month, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    if (year < 1 || !isValidDate(year, month, day)) return notADate(text);
    return { kind: 'date', day: dateToDayNumber(year, month, day) };
  }
  const m = DATE_TIME.exec(text);
  if (m === null) {
    const hint = /^-?\d+(\.\d+)?$/.test(text.trim()) ? ' (send unix timestamps as numbers, not strings)' : '';
    return { error: `partition must be ${ACCEPTED}, found ${describeValue(text)}${hint}` };
  }
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || !isValidDate(year, month, day)) return notADate(text);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (hour > 23 || minute > 59 || second > 59) {
    return {
      error: `partition ${describeValue(text)} has an invalid time of day (expected 00:00:00 to 23:59:59)`,
    };
  }
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const wall = utcMs(year, month, day, hour, minute, second) + millis;
  if (m[8] !== undefined) return instant(wall, text);
  if (m[9] === undefined) return { kind: 'wall', wall };
  const oh = Number(m[10]);
  const om = m[11] === undefined ? 0 : Number(m[11]);
  const os = m[12] === undefined ? 0 : Number(m[12]);
  if (oh > 23 || om > 59 || os > 59) {
    return { error: `partition ${describeValue(text)} has an invalid UTC offset (expected +HH:MM)` };
  }
  const offset = (m[9] === '-' ? -1 : 1) * ((oh * 60 + om) * 60 + os) * 1000;
  return instant(wall - offset, text);
}

function notADate(text: string): { error: string } {
  return { error: `partition ${describeValue(text)} is not a real calendar date` };
}

/** The day number of a wall time (its local date). */
export function dayOfWall(wall: number): number {
  return Math.floor(wall / DAY_MS);
}

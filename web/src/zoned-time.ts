// Instants as wall-clock times in a named time zone (a job's schedule zone, and UTC),
// through the browser's Intl data: pure functions, no I/O.

import { formatDuration } from './format';

export interface WallClock {
  /** "2025-11-03" */
  date: string;
  /** "02:00:00" */
  time: string;
}

// Building an Intl.DateTimeFormat costs far more than using one, and a jobs page formats
// a few dozen times a second per zone; the cache only ever holds the zones of the jobs.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The date and time on a clock in `timeZone` at `ms`; UTC when the browser does not know the zone. */
export function wallClock(ms: number, timeZone: string): WallClock {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatterFor(timeZone).formatToParts(new Date(ms));
  } catch {
    parts = formatterFor('UTC').formatToParts(new Date(ms));
  }
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    time: `${part('hour')}:${part('minute')}:${part('second')}`,
  };
}

export function isUtcZone(timeZone: string): boolean {
  return /^(Etc\/)?(UTC|UCT|GMT|Zulu|Universal)$/i.test(timeZone);
}

/**
 * "02:00", "19:48:15", with the date in front when that day is not today in the same
 * zone: "2025-11-04 02:00". Seconds by default only when they are not :00; a column of
 * times passes `seconds` so that all of them have the same shape.
 */
export function formatWallTime(
  ms: number,
  timeZone: string,
  nowMs: number,
  seconds: 'auto' | boolean = 'auto',
): string {
  const at = wallClock(ms, timeZone);
  const short = seconds === 'auto' ? at.time.endsWith(':00') : !seconds;
  const time = short ? at.time.slice(0, 5) : at.time;
  return at.date === wallClock(nowMs, timeZone).date ? time : `${at.date} ${time}`;
}

/** One instant in a job's zone and in UTC: ["02:00 Asia/Shanghai", "18:00 UTC"]; once for a UTC job. */
export function zoneAndUtc(ms: number, timeZone: string, nowMs: number): string[] {
  const utc = `${formatWallTime(ms, 'UTC', nowMs)} UTC`;
  if (isUtcZone(timeZone)) return [utc];
  return [`${formatWallTime(ms, timeZone, nowMs)} ${timeZone}`, utc];
}

/** How long until `ms`: "in 12 s", "in 4 min", "in 3 h", "in 2.5 h", "in 3 d"; "due now" once it passed. */
export function formatUntil(ms: number, nowMs: number): string {
  const left = ms - nowMs;
  if (left < 500) return 'due now';
  const s = Math.round(left / 1000);
  if (s < 60) return `in ${s} s`;
  if (s < 3600) return `in ${Math.round(s / 60)} min`;
  const oneDecimal = (n: number) => (n < 10 ? Math.round(n * 10) / 10 : Math.round(n));
  if (s < 172_800) return `in ${oneDecimal(s / 3600)} h`;
  return `in ${oneDecimal(s / 86_400)} d`;
}

/** A run's length or lateness: "–" when unknown, "850 ms", "12 s", "4 min". */
export function formatMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '–' : formatDuration(ms);
}

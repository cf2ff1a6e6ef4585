/**
 * Time-zone arithmetic on top of `Intl.DateTimeFormat`, without a date library.
 *
 * A *wall time* is a local date and time written as if it were UTC epoch
 * milliseconds (`Date.UTC(y, m - 1, d, h, min, s)`), so local calendar
 * arithmetic is plain integer arithmetic and `new Date(wall).getUTC*()` reads
 * the fields back. Instants are ordinary epoch milliseconds.
 *
 * Local times that do not exist or exist twice are resolved by one rule (see
 * {@link resolveWallTime}): a time inside a spring-forward gap maps to the end
 * of the gap (the transition instant); a repeated fall-back time maps to its
 * first occurrence.
 *
 * Supported range: years 1 to 9999.
 */

export interface LocalDate {
  year: number;
  /** 1-12 */
  month: number;
  /** 1-31 */
  day: number;
}

export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

export interface ZonedParts extends LocalDateTime {
  /** 0 = Sunday ... 6 = Saturday */
  weekday: number;
}

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

interface ZoneFormatter {
  format: Intl.DateTimeFormat;
  /** Zones that are always UTC skip Intl entirely. */
  utc: boolean;
}

// Building a formatter costs tens of microseconds and formatting is on the
// per-record path, so formatters are memoised per zone. They are immutable, so
// sharing one process-wide cannot leak state between callers.
const formatters = new Map<string, ZoneFormatter>();

const UTC_ZONES = new Set(['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Etc/Universal', 'Etc/Zulu', 'Etc/UCT']);

function zoneFormatter(tz: string): ZoneFormatter {
  let entry = formatters.get(tz);
  if (entry !== undefined) return entry;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new Error(
      `unknown time zone ${JSON.stringify(tz)}: use an IANA zone name such as "UTC", "Europe/Berlin" or "America/New_York"`,
    );
  }
  entry = { format, utc: UTC_ZONES.has(format.resolvedOptions().timeZone) };
  formatters.set(tz, entry);
  return entry;
}

/**
 * Throws an Error naming the problem when `tz` is not a time zone Intl knows.
 *
 * @example
 * assertTimeZone('Asia/Shanghai'); // ok
 * assertTimeZone('Mars/Olympus'); // throws: unknown time zone "Mars/Olympus": use an IANA zone name ...
 */
export function assertTimeZone(tz: string): void {
  if (typeof tz !== 'string' || tz.trim() === '') {
    throw new Error(
      `time zone must be an IANA zone name such as "UTC" or "Europe/Berlin", found ${JSON.stringify(tz)}`,
    );
  }
  zoneFormatter(tz);
}

/** `Date.UTC` that also works for years 0-99 (which `Date.UTC` maps to 1900-1999). */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  if (year >= 100 || year < 0) return Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

// `format` + a regex is ~4x faster than `formatToParts`; the parts path is only
// a fallback should an ICU version print something unexpected.
const FORMATTED = /^(\d+)\/(\d+)\/(\d+),?\s+(\d+):(\d+):(\d+)$/;

/** The wall time (local clock reading, as fake-UTC ms) at `instantMs` in `tz`. */
export function wallTimeAt(tz: string, instantMs: number): number {
  const zone = zoneFormatter(tz);
  if (zone.utc) return instantMs;
  const wholeSecond = Math.floor(instantMs / 1000) * 1000;
  const m = FORMATTED.exec(zone.format.format(wholeSecond));
  let wall: number;
  if (m !== null) {
    wall = utcMs(Number(m[3]), Number(m[1]), Number(m[2]), Number(m[4]) % 24, Number(m[5]), Number(m[6]));
  } else {
    const f: Record<string, number> = {};
    for (const p of zone.format.formatToParts(wholeSecond)) f[p.type] = Number(p.value);
    wall = utcMs(f.year ?? 0, f.month ?? 1, f.day ?? 1, (f.hour ?? 0) % 24, f.minute ?? 0, f.second ?? 0);
  }
  return wall + (instantMs - wholeSecond);
}

/** The zone's UTC offset at `instantMs`, in ms (e.g. +8h for Asia/Shanghai). */
export function offsetMs(tz: string, instantMs: number): number {
  return wallTimeAt(tz, instantMs) - instantMs;
}

/** Local calendar fields of a wall time. */
export function wallParts(wall: number): ZonedParts {
  const d = new Date(wall);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** Local date and time fields at `instantMs` in `tz`; weekday 0 = Sunday. */
export function zonedParts(tz: string, instantMs: number): ZonedParts {
  return wallParts(wallTimeAt(tz, instantMs));
}

/**
 * The instant a wall time happens, given the zone's offset function.
 *
 * - Ordinary times: the one instant showing that wall time.
 * - Repeated (fall-back) times: the FIRST occurrence, the earlier instant.
 * - Skipped (spring-forward) times: the end of the gap, i.e. the transition
 *   instant; 02:30 on New York's spring-forward day gives 03:00 EDT.
 *
 * Equivalently: the first instant whose wall clock reads `wall` or later. That
 * makes the mapping monotonic, which cron enumeration relies on.
 */
export function resolveWallTime(wall: number, offsetAt: (instant: number) => number): number {
  const before = offsetAt(wall - DAY_MS);
  const after = offsetAt(wall + DAY_MS);
  let best = Number.POSITIVE_INFINITY;
  const a = wall - before;
  if (offsetAt(a) === before) best = a;
  if (after !== before) {
    const b = wall - after;
    if (b < best && offsetAt(b) === after) best = b;
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  if (after === before) {
    // Two transitions within two days (not seen in current tzdata): trust the offset at the naive instant.
    const o = offsetAt(a);
    return wall - o;
  }
  // Inside a gap: bisect (to the second; tzdata transitions are whole seconds)
  // for the first instant whose wall clock has reached `wall`.
  let lo = Math.floor((wall - Math.max(before, after)) / 1000);
  let hi = Math.ceil((wall - Math.min(before, after)) / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const t = mid * 1000;
    if (t + offsetAt(t) >= wall) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}

/** The instant of a wall time in `tz` (see {@link resolveWallTime} for gaps and overlaps). */
export function wallToInstant(tz: string, wall: number): number {
  if (zoneFormatter(tz).utc) return wall;
  return resolveWallTime(wall, (t) => offsetMs(tz, t));
}

/**
 * The instant a local date-time happens in `tz`. A time skipped by a
 * spring-forward change resolves to the transition instant; a time repeated by
 * a fall-back change resolves to its first occurrence.
 *
 * @example
 * zonedToInstant('America/New_York', { year: 2026, month: 3, day: 8, hour: 2, minute: 30, second: 0 });
 * // 2026-03-08T07:00:00Z (03:00 EDT, the end of the gap)
 */
export function zonedToInstant(tz: string, local: LocalDateTime): number {
  return wallToInstant(tz, utcMs(local.year, local.month, local.day, local.hour, local.minute, local.second));
}

/** Days since 1970-01-01 of the local date at `instantMs` in `tz`. */
export function localDayNumber(tz: string, instantMs: number): number {
  return Math.floor(wallTimeAt(tz, instantMs) / DAY_MS);
}

/** Days since 1970-01-01 of a calendar date. */
export function dateToDayNumber(year: number, month: number, day: number): number {
  return Math.floor(utcMs(year, month, day) / DAY_MS);
}

/** The calendar date of a day number (days since 1970-01-01). */
export function dayNumberToDate(n: number): LocalDate {
  const d = new Date(n * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday ... 6 = Saturday, for a day number (1970-01-01 was a Thursday). */
export function weekdayOfDayNumber(n: number): number {
  return (((n + 4) % 7) + 7) % 7;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** 'YYYY-MM-DD'. */
export function formatDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** 'YYYY-MM-DD' of a day number. */
export function formatDayNumber(n: number): string {
  const d = dayNumberToDate(n);
  return formatDate(d.year, d.month, d.day);
}

/** Whether year/month/day name a real calendar date (rejects 2026-02-30). */
export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(utcMs(year, month + 1, 0)).getUTCDate();
}

/** '+08:00', '-04:00', '+05:45' (and '+00:00' for UTC, so every value has the same shape). */
export function formatOffset(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(Math.round(offset / 1000));
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  return `${sign}${pad(h, 2)}:${pad(m, 2)}${s === 0 ? '' : `:${pad(s, 2)}`}`;
}

/** ISO 8601 local time with offset, e.g. '2026-11-22T02:05:00+08:00'. */
export function formatZoned(tz: string, instantMs: number): string {
  const wall = wallTimeAt(tz, instantMs);
  const p = wallParts(wall);
  const time = `${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}`;
  return `${formatDate(p.year, p.month, p.day)}T${time}${formatOffset(wall - instantMs)}`;
}

/**
 * The latest wall time the clock has shown at or before `instantMs`. Equal to
 * the current wall time except in the repeated hour after a fall-back change,
 * where the clock showed later times just before the transition.
 */
export function maxWallUpTo(tz: string, instantMs: number): number {
  const now = offsetMs(tz, instantMs);
  // Backward changes are at most a couple of hours; six covers every current zone.
  const lookback = 6 * HOUR_MS;
  const earlier = offsetMs(tz, instantMs - lookback);
  if (earlier <= now) return instantMs + now;
  let lo = Math.floor((instantMs - lookback) / 1000);
  let hi = Math.floor(instantMs / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetMs(tz, mid * 1000) !== earlier) hi = mid;
    else lo = mid;
  }
  return Math.max(instantMs + now, hi * 1000 - 1 + earlier);
}

/** Offsets of one zone over a window, precomputed so bulk conversions skip Intl. */
export interface OffsetTimeline {
  offsetAt(instantMs: number): number;
  /** Same rule as {@link wallToInstant}. */
  wallToInstant(wall: number): number;
}

/**
 * Samples the zone's offset every 6 hours across `[fromMs, toMs]` (plus two
 * days either side) and bisects each change, so converting thousands of cron
 * occurrences costs a few Intl calls per day instead of several per occurrence.
 * Two transitions less than 6 hours apart would be missed; tzdata has none in
 * the supported range that matter for scheduling.
 */
export function createOffsetTimeline(tz: string, fromMs: number, toMs: number): OffsetTimeline {
  if (zoneFormatter(tz).utc) return { offsetAt: () => 0, wallToInstant: (wall) => wall };
  const step = 6 * HOUR_MS;
  const lo = Math.floor((fromMs - 2 * DAY_MS) / 1000) * 1000;
  const starts: number[] = [lo];
  const offsets: number[] = [offsetMs(tz, lo)];
  let prevT = lo;
  let t = lo;
  const end = toMs + 2 * DAY_MS;
  while (t < end) {
    t += step;
    const o = offsetMs(tz, t);
    while (o !== offsets[offsets.length - 1]) {
      const prevO = offsets[offsets.length - 1]!;
      let a = Math.floor(prevT / 1000);
      let b = t / 1000;
      while (b - a > 1) {
        const mid = Math.floor((a + b) / 2);
        if (offsetMs(tz, mid * 1000) !== prevO) b = mid;
        else a = mid;
      }
      prevT = b * 1000;
      starts.push(prevT);
      offsets.push(offsetMs(tz, prevT));
    }
    prevT = t;
  }
  const last = t;
  const offsetAt = (instant: number): number => {
    if (instant < lo || instant > last) return offsetMs(tz, instant);
    let l = 0;
    let h = starts.length - 1;
    while (l < h) {
      const mid = (l + h + 1) >>> 1;
      if (starts[mid]! <= instant) l = mid;
      else h = mid - 1;
    }
    return offsets[l]!;
  };
  return { offsetAt, wallToInstant: (wall) => resolveWallTime(wall, offsetAt) };
}

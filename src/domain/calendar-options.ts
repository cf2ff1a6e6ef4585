import { type CalendarInput, parseCalendarInput } from './calendar-input.js';
import { describeValue } from './describe-value.js';
import { assertTimeZone, dateToDayNumber, isValidDate } from './time-zone.js';

/** Partitions laid out on a calendar: every N minutes/hours/days, or on a cron schedule. */
export interface CalendarOptions {
  /** Slot length: a count and a unit m, h or d, e.g. '5m', '1h', '1d'. Exactly one of `every` and `cron`. */
  every?: string;
  /**
   * Local time of day ('HH:MM') day slots start at, i.e. when a day's partition is due. Day intervals only.
   * @default '00:00'
   */
  at?: string;
  /** 5-field (minutes) or 6-field (seconds first) cron expression in croner syntax, e.g. '0 2 * * *'. */
  cron?: string;
  /**
   * IANA time zone the calendar is laid out in.
   * @default 'UTC'
   */
  timezone?: string;
  /** First partition: 'YYYY-MM-DD' (local) or an ISO date-time; earlier records are rejected. */
  start?: string;
  /** Slots that are never expected, by the local date of the slot's start. */
  exclude?: {
    /** 0 = Sunday ... 6 = Saturday. */
    weekdays?: number[];
    /** Local dates 'YYYY-MM-DD', e.g. holidays. */
    dates?: string[];
  };
}

export type CalendarRule =
  | { kind: 'interval'; intervalMs: number }
  | { kind: 'days'; days: number; atMs: number }
  | { kind: 'cron'; expression: string };

/** Calendar options validated and resolved once; nothing downstream re-checks them. */
export interface CompiledCalendar {
  rule: CalendarRule;
  timezone: string;
  start: { text: string; input: CalendarInput } | undefined;
  /** Indexed by weekday, 0 = Sunday. */
  excludedWeekdays: readonly boolean[];
  /** Day numbers (days since 1970-01-01) of excluded local dates. */
  excludedDays: ReadonlySet<number>;
}

const KEYS = new Set(['every', 'at', 'cron', 'timezone', 'start', 'exclude']);
const EXCLUDE_KEYS = new Set(['weekdays', 'dates']);
const EVERY = /^([1-9]\d{0,5})([mhd])$/;
const AT = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

function fail(message: string): never {
  throw new Error(`calendar ${message}`);
}

function checkKeys(value: object, allowed: Set<string>, where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key))
      fail(`${where}has no option ${JSON.stringify(key)}; known options: ${[...allowed].join(', ')}`);
  }
}

/**
 * Validates calendar options, throwing an Error that says what is wrong and
 * how to fix it.
 */
export function compileCalendarOptions(options: CalendarOptions): CompiledCalendar {
  if (typeof options !== 'object' || options === null)
    fail(`options must be an object, found ${describeValue(options)}`);
  checkKeys(options, KEYS, '');
  const { every, cron, at } = options;
  if (every === undefined && cron === undefined) {
    fail(`needs exactly one of "every" (e.g. every: '1h') or "cron" (e.g. cron: '0 2 * * *'), found neither`);
  }
  if (every !== undefined && cron !== undefined) {
    fail(
      `needs exactly one of "every" and "cron", found both (every: ${describeValue(every)}, cron: ${describeValue(cron)}); remove one`,
    );
  }

  const timezone = options.timezone ?? 'UTC';
  try {
    assertTimeZone(timezone);
  } catch (error) {
    fail(`timezone: ${(error as Error).message}`);
  }

  let rule: CalendarRule;
  if (every !== undefined) {
    const m = typeof every === 'string' ? EVERY.exec(every.trim()) : null;
    if (m === null) {
      fail(
        `every must be a positive count and a unit m, h or d, such as '5m', '1h' or '1d', found ${describeValue(every)}`,
      );
    }
    const count = Number(m[1]);
    const unit = m[2] as 'm' | 'h' | 'd';
    if (unit === 'd') {
      let atMs = 0;
      if (at !== undefined) {
        const a = typeof at === 'string' ? AT.exec(at) : null;
        if (a === null)
          fail(`at must be a local time of day 'HH:MM' between 00:00 and 23:59, found ${describeValue(at)}`);
        atMs = (Number(a[1]) * 60 + Number(a[2])) * 60_000;
      }
      rule = { kind: 'days', days: count, atMs };
    } else {
      if (at !== undefined) {
        fail(
          `at only applies to day intervals (every: '1d'); with every: ${describeValue(every)} slots start on the interval, so remove at or use cron for a time of day`,
        );
      }
      rule = { kind: 'interval', intervalMs: count * UNIT_MS[unit] };
    }
  } else {
    if (typeof cron !== 'string' || cron.trim() === '') {
      fail(`cron must be a cron expression string such as '0 2 * * *', found ${describeValue(cron)}`);
    }
    if (at !== undefined)
      fail(`at does not apply to cron calendars; put the time of day in the cron expression instead`);
    rule = { kind: 'cron', expression: cron.trim() };
  }

  let start: CompiledCalendar['start'];
  if (options.start !== undefined) {
    const parsed = typeof options.start === 'string' ? parseCalendarInput(options.start) : undefined;
    if (parsed === undefined || 'error' in parsed) {
      fail(
        `start must be a date 'YYYY-MM-DD' or an ISO date-time such as '2026-01-01T00:00:00Z', found ${describeValue(options.start)}`,
      );
    }
    start = { text: options.start, input: parsed };
  }

  const excludedWeekdays = [false, false, false, false, false, false, false];
  const excludedDays = new Set<number>();
  const exclude = options.exclude;
  if (exclude !== undefined) {
    if (typeof exclude !== 'object' || exclude === null) {
      fail(
        `exclude must be an object like { weekdays: [0, 6], dates: ['2026-12-25'] }, found ${describeValue(exclude)}`,
      );
    }
    checkKeys(exclude, EXCLUDE_KEYS, 'exclude ');
    if (exclude.weekdays !== undefined) {
      if (!Array.isArray(exclude.weekdays))
        fail(`exclude.weekdays must be an array such as [0, 6], found ${describeValue(exclude.weekdays)}`);
      for (const w of exclude.weekdays) {
        if (!Number.isInteger(w) || w < 0 || w > 6) {
          fail(`exclude.weekdays must hold integers 0 (Sunday) to 6 (Saturday), found ${describeValue(w)}`);
        }
        excludedWeekdays[w] = true;
      }
      if (excludedWeekdays.every(Boolean)) {
        fail(
          `exclude.weekdays excludes all seven weekdays, so no partition would ever be expected; remove some`,
        );
      }
    }
    if (exclude.dates !== undefined) {
      if (!Array.isArray(exclude.dates))
        fail(`exclude.dates must be an array of 'YYYY-MM-DD' strings, found ${describeValue(exclude.dates)}`);
      for (const d of exclude.dates) {
        const m = typeof d === 'string' ? DATE.exec(d) : null;
        const [y, mo, da] = m === null ? [0, 0, 0] : [Number(m[1]), Number(m[2]), Number(m[3])];
        if (m === null || y < 1 || !isValidDate(y, mo, da)) {
          fail(`exclude.dates must hold real local dates 'YYYY-MM-DD', found ${describeValue(d)}`);
        }
        excludedDays.add(dateToDayNumber(y, mo, da));
      }
    }
  }
  return { rule, timezone, start, excludedWeekdays, excludedDays };
}

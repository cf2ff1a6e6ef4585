import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CalendarOptions, createCalendarPartitioning } from './calendar-partitioning.js';
import type { Partitioning } from './partitioning.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

function ordinal(p: Partitioning, raw: unknown): number {
  const o = p.toOrdinal(raw);
  assert.equal(typeof o, 'number', `toOrdinal(${JSON.stringify(raw)}) failed: ${JSON.stringify(o)}`);
  return o as number;
}

function errorOf(p: Partitioning, raw: unknown): string {
  const o = p.toOrdinal(raw);
  assert.equal(typeof o, 'object', `toOrdinal(${JSON.stringify(raw)}) should fail, got ${String(o)}`);
  return (o as { error: string }).error;
}

/** Slots from local midnight of `day` to just before local midnight of `nextDay`. */
function slotsBetween(p: Partitioning, day: string, nextDay: string): number {
  return p.expected(ordinal(p, day), ordinal(p, nextDay) - 1).size;
}

describe('day calendars across DST (America/New_York)', () => {
  const at0200 = createCalendarPartitioning({ every: '1d', at: '02:00', timezone: 'America/New_York' });
  const at0130 = createCalendarPartitioning({ every: '1d', at: '01:30', timezone: 'America/New_York' });

  test('02:00 on spring-forward day 2026-03-08 does not exist: the slot starts at 03:00 EDT = 07:00Z', () => {
    const o = ordinal(at0200, '2026-03-08');
    assert.equal(iso(at0200.instantOf(o)), '2026-03-08T07:00:00.000Z');
    assert.equal(iso(at0200.instantOf(o - 1)), '2026-03-07T07:00:00.000Z'); // 02:00 EST
    assert.equal(iso(at0200.instantOf(o + 1)), '2026-03-09T06:00:00.000Z'); // 02:00 EDT
    assert.equal(at0200.valueOf(o), '2026-03-08');
  });

  test('01:30 on fall-back day 2026-11-01 happens twice: the slot starts once, at the first (05:30Z)', () => {
    const o = ordinal(at0130, '2026-11-01');
    assert.equal(iso(at0130.instantOf(o)), '2026-11-01T05:30:00.000Z');
    assert.equal(at0130.latestDue(at('2026-11-01T05:29:59Z')), o - 1);
    assert.equal(at0130.latestDue(at('2026-11-01T05:30:00Z')), o);
    assert.equal(at0130.latestDue(at('2026-11-01T06:45:00Z')), o); // the second 01:30 is not a new slot
    assert.equal(at0130.expected(o - 1, o + 1).size, 3);
  });

  test('02:00 on fall-back day is unambiguous (07:00Z), and 01:30 on spring-forward day is ordinary', () => {
    assert.equal(iso(at0200.instantOf(ordinal(at0200, '2026-11-01'))), '2026-11-01T07:00:00.000Z');
    assert.equal(iso(at0130.instantOf(ordinal(at0130, '2026-03-08'))), '2026-03-08T06:30:00.000Z');
  });

  test('a record timestamp belongs to its local date, whatever the time of day', () => {
    const o = ordinal(at0200, '2026-03-08');
    assert.equal(at0200.toOrdinal('2026-03-08T00:30:00-05:00'), o);
    assert.equal(at0200.toOrdinal('2026-03-08 23:59:59'), o);
    assert.equal(at0200.toOrdinal(at('2026-03-09T03:59:59Z')), o); // 23:59:59 EDT
    assert.equal(at0200.toOrdinal(at('2026-03-09T04:00:00Z')), o + 1);
  });
});

describe('hourly calendars across DST', () => {
  const ny = createCalendarPartitioning({ every: '1h', timezone: 'America/New_York' });
  const berlin = createCalendarPartitioning({ every: '1h', timezone: 'Europe/Berlin' });

  test('New York: fall-back day has 25 hourly slots, spring-forward day 23, an ordinary day 24', () => {
    assert.equal(slotsBetween(ny, '2026-11-01', '2026-11-02'), 25);
    assert.equal(slotsBetween(ny, '2026-03-08', '2026-03-09'), 23);
    assert.equal(slotsBetween(ny, '2026-06-10', '2026-06-11'), 24);
  });

  test('New York: the repeated 01:00 hour is two slots with different offsets', () => {
    const midnight = ordinal(ny, '2026-11-01');
    assert.equal(ny.valueOf(midnight), '2026-11-01T00:00:00-04:00');
    assert.equal(ny.valueOf(midnight + 1), '2026-11-01T01:00:00-04:00');
    assert.equal(ny.valueOf(midnight + 2), '2026-11-01T01:00:00-05:00');
    assert.equal(ny.valueOf(midnight + 3), '2026-11-01T02:00:00-05:00');
    assert.equal(ny.toOrdinal('2026-11-01T01:30:00-05:00'), midnight + 2);
    // A local time without offset in the repeated hour means the first one.
    assert.equal(ny.toOrdinal('2026-11-01 01:30'), midnight + 1);
  });

  test('Berlin: 2026-03-29 has 23 slots, 2026-10-25 has 25', () => {
    assert.equal(slotsBetween(berlin, '2026-03-29', '2026-03-30'), 23);
    assert.equal(slotsBetween(berlin, '2026-10-25', '2026-10-26'), 25);
    const o = ordinal(berlin, '2026-03-29');
    assert.equal(berlin.valueOf(o + 2), '2026-03-29T03:00:00+02:00');
  });

  test('Asia/Kolkata (+05:30): hourly slots start on local hours, not UTC hours', () => {
    const p = createCalendarPartitioning({ every: '1h', timezone: 'Asia/Kolkata' });
    const o = ordinal(p, '2026-01-01T15:45:00+05:30');
    assert.equal(p.valueOf(o), '2026-01-01T15:00:00+05:30');
    assert.equal(iso(p.instantOf(o)), '2026-01-01T09:30:00.000Z');
    assert.equal(slotsBetween(p, '2026-01-01', '2026-01-02'), 24);
  });

  test('6-hour slots follow standard time: Lord Howe (+10:30, DST +11) starts them at 00:00 in winter, 00:30 in summer', () => {
    const p = createCalendarPartitioning({ every: '6h', timezone: 'Australia/Lord_Howe' });
    assert.equal(p.valueOf(ordinal(p, '2026-06-01 07:00')), '2026-06-01T06:00:00+10:30');
    assert.equal(p.valueOf(ordinal(p, '2026-12-01 07:00')), '2026-12-01T06:30:00+11:00');
  });

  test('15-minute slots in Asia/Kathmandu (+05:45) align to local quarter hours', () => {
    const p = createCalendarPartitioning({ every: '15m', timezone: 'Asia/Kathmandu' });
    assert.equal(p.valueOf(ordinal(p, '2026-05-01 10:44:59')), '2026-05-01T10:30:00+05:45');
    assert.equal(slotsBetween(p, '2026-05-01', '2026-05-02'), 96);
  });
});

describe('Asia/Shanghai daily at 02:00', () => {
  const p = createCalendarPartitioning({ every: '1d', at: '02:00', timezone: 'Asia/Shanghai' });

  test('expects one partition per day of a month, named by local date', () => {
    const first = ordinal(p, '2026-01-01');
    const last = ordinal(p, '2026-01-31');
    assert.equal(p.expected(first, last).size, 31);
    assert.equal(p.valueOf(first), '2026-01-01');
    assert.equal(p.valueOf(last), '2026-01-31');
    assert.equal(iso(p.instantOf(first)), '2025-12-31T18:00:00.000Z');
  });

  test('latestDue flips at 02:00 local = 18:00Z the previous day', () => {
    const jan1 = ordinal(p, '2026-01-01');
    const jan2 = ordinal(p, '2026-01-02');
    assert.equal(p.latestDue(at('2026-01-01T17:59:59.999Z')), jan1);
    assert.equal(p.latestDue(at('2026-01-01T18:00:00Z')), jan2);
    assert.equal(p.latestDue(at('2026-01-02T17:00:00Z')), jan2);
  });

  test('describe gives the template variables', () => {
    assert.deepEqual(p.describe(ordinal(p, '2026-11-22')), {
      partition: '2026-11-22',
      date: '2026-11-22',
      unix: String(at('2026-11-21T18:00:00Z') / 1000),
      ms: String(at('2026-11-21T18:00:00Z')),
      iso: '2026-11-21T18:00:00.000Z',
    });
  });
});

describe('exclusions', () => {
  const weekdays = createCalendarPartitioning({
    every: '1d',
    timezone: 'Asia/Shanghai',
    exclude: { weekdays: [0, 6], dates: ['2026-12-25'] },
  });

  test('weekends excluded: two weeks expect 10 partitions', () => {
    const mon = ordinal(weekdays, '2026-11-02');
    const sun = mon + 13; // 2026-11-15; toOrdinal would reject a Sunday
    const set = weekdays.expected(mon, sun);
    assert.equal(set.size, 10);
    assert.deepEqual(set.ranges(), [
      [mon, mon + 4],
      [mon + 7, mon + 11],
    ]);
  });

  test('a record on an excluded weekday or date is rejected with the reason', () => {
    assert.equal(errorOf(weekdays, '2026-11-21'), 'partition 2026-11-21 falls on an excluded weekday (Sat)');
    assert.equal(
      errorOf(weekdays, '2026-11-22T10:00:00+08:00'),
      'partition 2026-11-22 falls on an excluded weekday (Sun)',
    );
    assert.equal(
      errorOf(weekdays, '2026-12-25'),
      'partition 2026-12-25 falls on an excluded date (2026-12-25)',
    );
    assert.equal(typeof weekdays.toOrdinal('2026-11-20'), 'number');
  });

  test('excluded dates are left out of expected; Christmas week expects 4', () => {
    const mon = ordinal(weekdays, '2026-12-21');
    assert.equal(weekdays.expected(mon, mon + 6).size, 4);
    assert.equal(weekdays.expected(mon, mon + 6).has(mon + 4), false);
  });

  test('latestDue skips back over excluded days', () => {
    const fri = ordinal(weekdays, '2026-11-20');
    assert.equal(weekdays.latestDue(at('2026-11-22T12:00:00+08:00')), fri);
    assert.equal(weekdays.latestDue(at('2026-11-23T00:00:00+08:00')), fri + 3);
  });

  test('hourly slots are excluded by the local date they start on', () => {
    const p = createCalendarPartitioning({
      every: '1h',
      timezone: 'America/New_York',
      exclude: { weekdays: [0, 6] },
    });
    const mon = ordinal(p, '2026-06-01');
    const nextMon = ordinal(p, '2026-06-08');
    const set = p.expected(mon, nextMon - 1);
    assert.equal(set.size, 5 * 24);
    assert.deepEqual(set.ranges(), [[mon, mon + 5 * 24 - 1]]);
    assert.match(
      errorOf(p, '2026-06-06T23:30:00-04:00'),
      /^partition 2026-06-06T23:00:00-04:00 falls on an excluded weekday \(Sat\)$/,
    );
    assert.equal(p.latestDue(at('2026-06-07T12:00:00-04:00')), mon + 5 * 24 - 1); // Friday 23:00
  });

  // How long the year takes is a figure of `npm run bench partitioning`, not a limit here.
  test('wide windows with exclusions come out as ranges, one per week of weekdays', () => {
    const p = createCalendarPartitioning({
      every: '5m',
      timezone: 'Europe/Berlin',
      exclude: { weekdays: [0, 6] },
    });
    const from = ordinal(p, '2026-01-01');
    const to = ordinal(p, '2027-01-01') - 1;
    const set = p.expected(from, to);
    // 2026 has 261 weekdays; the two DST days (both Sundays) are excluded anyway. Consecutive
    // weekdays join, so a year is 53 ranges (Monday to Friday), not 75,168 slots.
    assert.equal(set.size, 261 * 288);
    assert.equal(set.rangeCount, 53);
  });
});

describe('start', () => {
  const p = createCalendarPartitioning({ every: '1d', timezone: 'UTC', start: '2026-01-10' });

  test('sets firstOrdinal and rejects earlier records', () => {
    assert.equal(p.firstOrdinal, ordinal(p, '2026-01-10'));
    assert.equal(errorOf(p, '2026-01-09'), "partition 2026-01-09 is before the dataset's start 2026-01-10");
    assert.equal(typeof p.toOrdinal('2026-01-10T00:00:00Z'), 'number');
  });

  test('expected and latestDue never reach before the start', () => {
    const first = p.firstOrdinal as number;
    assert.deepEqual(p.expected(first - 5, first + 1).ranges(), [[first, first + 1]]);
    assert.equal(p.latestDue(at('2026-01-05T00:00:00Z')), undefined);
    assert.equal(p.latestDue(at('2026-01-10T00:00:00Z')), first);
  });

  test('a start inside a slot begins at the next slot; an excluded start moves to the next included day', () => {
    const hourly = createCalendarPartitioning({ every: '1h', start: '2026-01-01T10:30:00Z' });
    assert.equal(hourly.valueOf(hourly.firstOrdinal as number), '2026-01-01T11:00:00+00:00');
    const weekdaysOnly = createCalendarPartitioning({
      every: '1d',
      start: '2026-11-21',
      exclude: { weekdays: [0, 6] },
    });
    assert.equal(weekdaysOnly.valueOf(weekdaysOnly.firstOrdinal as number), '2026-11-23');
  });
});

describe('toOrdinal inputs', () => {
  const hourly = createCalendarPartitioning({ every: '1h', timezone: 'Asia/Shanghai' });

  test('ISO with Z or offset, local date-time with T or space, unix seconds, unix ms and Dates agree', () => {
    const o = ordinal(hourly, '2026-11-22T02:05:00+08:00');
    for (const raw of [
      '2026-11-21T18:05:00Z',
      '2026-11-21T18:59:59.999Z',
      '2026-11-22T02:30',
      '2026-11-22 02:30:15',
      '2026-11-22T02:00:00+0800',
      at('2026-11-21T18:05:00Z') / 1000,
      at('2026-11-21T18:05:00Z'),
      new Date('2026-11-21T18:05:00Z'),
    ]) {
      assert.equal(hourly.toOrdinal(raw), o, String(raw));
    }
    assert.equal(hourly.toOrdinal('2026-11-22'), o - 2); // local midnight
    assert.equal(hourly.valueOf(o), '2026-11-22T02:00:00+08:00');
  });

  test('rejects garbage, impossible dates and wrong types with clear messages', () => {
    const cases: [unknown, RegExp][] = [
      ['abc', /must be a date 'YYYY-MM-DD', an ISO date-time .* found "abc"/],
      ['', /found ""/],
      ['2026-02-30', /"2026-02-30" is not a real calendar date/],
      ['2026-13-01', /not a real calendar date/],
      ['2026-02-29T10:00:00Z', /not a real calendar date/],
      ['2026-1-5', /found "2026-1-5"/],
      ['2026-01-01T24:00', /invalid time of day/],
      ['2026-01-01T10:61', /invalid time of day/],
      ['2026-01-01T10:00+25:00', /invalid UTC offset/],
      ['1767225600', /send unix timestamps as numbers, not strings/],
      [true, /found true \(a boolean\)/],
      [null, /found null/],
      [undefined, /found no value/],
      [{}, /found an object/],
      [Number.NaN, /found NaN/],
      [Number.POSITIVE_INFINITY, /found Infinity/],
      [new Date(Number.NaN), /invalid Date/],
      [1e17, /outside the years 0001-9999/],
    ];
    for (const [raw, pattern] of cases) assert.match(errorOf(hourly, raw), pattern, String(raw));
  });
});

describe('round trips', () => {
  const calendars: [string, CalendarOptions][] = [
    ['hourly New York', { every: '1h', timezone: 'America/New_York' }],
    ['5m Berlin', { every: '5m', timezone: 'Europe/Berlin' }],
    ['15m Kathmandu', { every: '15m', timezone: 'Asia/Kathmandu' }],
    ['6h Lord Howe', { every: '6h', timezone: 'Australia/Lord_Howe' }],
    ['daily New York at 02:30', { every: '1d', at: '02:30', timezone: 'America/New_York' }],
    ['2-day UTC', { every: '2d' }],
  ];
  for (const [name, options] of calendars) {
    test(`${name}: toOrdinal(valueOf(o)) === o and toOrdinal(instantOf(o)) === o`, () => {
      const p = createCalendarPartitioning(options);
      const first = ordinal(p, '2026-01-01');
      const last = ordinal(p, '2027-01-01');
      const stride = Math.max(1, Math.floor((last - first) / 3000));
      for (let o = first; o <= last; o += stride) {
        assert.equal(p.toOrdinal(p.valueOf(o)), o, `valueOf ${p.valueOf(o)}`);
        assert.equal(p.toOrdinal(p.instantOf(o)), o, `instantOf ${iso(p.instantOf(o))}`);
      }
    });
  }

  test('2-day slots name their first day and hold both days', () => {
    const p = createCalendarPartitioning({ every: '2d' });
    const o = ordinal(p, '2026-01-01'); // day 20454, even
    assert.equal(p.valueOf(o), '2026-01-01');
    assert.equal(p.toOrdinal('2026-01-02'), o);
    assert.equal(p.toOrdinal('2026-01-03'), o + 1);
  });
});

describe('option validation', () => {
  const cases: [unknown, RegExp][] = [
    [{}, /exactly one of "every".*"cron".*found neither/],
    [{ every: '1h', cron: '0 * * * *' }, /found both/],
    [{ every: '1x' }, /every must be a positive count and a unit m, h or d.*found "1x"/],
    [{ every: '0m' }, /found "0m"/],
    [{ every: 60 }, /found 60/],
    [{ every: '1h', at: '02:00' }, /at only applies to day intervals/],
    [{ every: '1d', at: '25:00' }, /at must be a local time of day 'HH:MM'.*found "25:00"/],
    [{ every: '1d', at: '2:00' }, /found "2:00"/],
    [{ cron: '0 2 * * *', at: '02:00' }, /at does not apply to cron/],
    [{ every: '1d', timezone: 'Mars/Olympus' }, /calendar timezone: unknown time zone "Mars\/Olympus"/],
    [
      { every: '1d', exclude: { weekdays: [7] } },
      /weekdays must hold integers 0 \(Sunday\) to 6 \(Saturday\), found 7/,
    ],
    [{ every: '1d', exclude: { weekdays: [0, 1, 2, 3, 4, 5, 6] } }, /excludes all seven weekdays/],
    [
      { every: '1d', exclude: { dates: ['2026-02-30'] } },
      /dates must hold real local dates 'YYYY-MM-DD', found "2026-02-30"/,
    ],
    [{ every: '1d', exclude: { dates: ['25.12.2026'] } }, /found "25.12.2026"/],
    [{ every: '1d', exclude: { holidays: [] } }, /exclude has no option "holidays"/],
    [{ every: '1d', timeZone: 'UTC' }, /has no option "timeZone"/],
    [
      { every: '1d', start: 'yesterday' },
      /start must be a date 'YYYY-MM-DD' or an ISO date-time.*found "yesterday"/,
    ],
  ];
  for (const [options, pattern] of cases) {
    test(`rejects ${JSON.stringify(options)}`, () => {
      assert.throws(() => createCalendarPartitioning(options as CalendarOptions), pattern);
    });
  }
});

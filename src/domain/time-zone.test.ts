import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertTimeZone,
  createOffsetTimeline,
  dateToDayNumber,
  dayNumberToDate,
  formatDate,
  formatZoned,
  isValidDate,
  localDayNumber,
  maxWallUpTo,
  offsetMs,
  wallToInstant,
  weekdayOfDayNumber,
  zonedParts,
  zonedToInstant,
} from './time-zone.js';

const H = 3_600_000;
const at = (iso: string): number => Date.parse(iso);
const local = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0) => ({
  year,
  month,
  day,
  hour,
  minute,
  second,
});
const iso = (ms: number): string => new Date(ms).toISOString();

describe('assertTimeZone', () => {
  test('accepts IANA names, including aliases', () => {
    for (const tz of ['UTC', 'America/New_York', 'Asia/Kolkata', 'Asia/Calcutta', 'Etc/GMT+5'])
      assertTimeZone(tz);
  });

  test('rejects unknown zones with a message naming the zone and what to use', () => {
    assert.throws(() => assertTimeZone('Mars/Olympus'), /unknown time zone "Mars\/Olympus".*IANA/);
    assert.throws(() => assertTimeZone(''), /IANA zone name/);
    assert.throws(() => assertTimeZone('+05:30'), /unknown time zone/);
  });
});

describe('offsetMs and zonedParts', () => {
  test('offsets follow DST and half/quarter-hour zones', () => {
    assert.equal(offsetMs('America/New_York', at('2026-01-15T12:00:00Z')), -5 * H);
    assert.equal(offsetMs('America/New_York', at('2026-07-15T12:00:00Z')), -4 * H);
    assert.equal(offsetMs('Asia/Kolkata', at('2026-07-15T12:00:00Z')), 5.5 * H);
    assert.equal(offsetMs('Asia/Kathmandu', at('2026-07-15T12:00:00Z')), 5.75 * H);
    assert.equal(offsetMs('UTC', at('2026-07-15T12:00:00Z')), 0);
  });

  test('the offset changes exactly at the transition instant', () => {
    assert.equal(offsetMs('America/New_York', at('2026-03-08T06:59:59.999Z')), -5 * H);
    assert.equal(offsetMs('America/New_York', at('2026-03-08T07:00:00Z')), -4 * H);
    assert.equal(offsetMs('Europe/Berlin', at('2026-10-25T00:59:59Z')), 2 * H);
    assert.equal(offsetMs('Europe/Berlin', at('2026-10-25T01:00:00Z')), 1 * H);
  });

  test('zonedParts gives local fields and weekday (0 = Sunday)', () => {
    // 2026-11-21T18:05:09Z is Sunday 02:05:09 on 2026-11-22 in Shanghai.
    assert.deepEqual(zonedParts('Asia/Shanghai', at('2026-11-21T18:05:09.750Z')), {
      ...local(2026, 11, 22, 2, 5, 9),
      weekday: 0,
    });
    assert.deepEqual(zonedParts('America/New_York', at('2026-01-01T04:59:59Z')), {
      ...local(2025, 12, 31, 23, 59, 59),
      weekday: 3,
    });
  });
});

describe('zonedToInstant', () => {
  test('ordinary local times', () => {
    assert.equal(iso(zonedToInstant('Asia/Shanghai', local(2026, 1, 2, 2))), '2026-01-01T18:00:00.000Z');
    assert.equal(iso(zonedToInstant('Asia/Kolkata', local(2026, 1, 1))), '2025-12-31T18:30:00.000Z');
    assert.equal(iso(zonedToInstant('UTC', local(2026, 5, 6, 7, 8, 9))), '2026-05-06T07:08:09.000Z');
  });

  test('New York spring-forward (2026-03-08): times in the gap resolve to the transition, 03:00 EDT', () => {
    const tz = 'America/New_York';
    assert.equal(iso(zonedToInstant(tz, local(2026, 3, 8, 1, 59, 59))), '2026-03-08T06:59:59.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 3, 8, 2, 0))), '2026-03-08T07:00:00.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 3, 8, 2, 30))), '2026-03-08T07:00:00.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 3, 8, 2, 59, 59))), '2026-03-08T07:00:00.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 3, 8, 3, 0))), '2026-03-08T07:00:00.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 3, 8, 3, 30))), '2026-03-08T07:30:00.000Z');
  });

  test('New York fall-back (2026-11-01): a repeated time resolves to its first occurrence (EDT)', () => {
    const tz = 'America/New_York';
    assert.equal(iso(zonedToInstant(tz, local(2026, 11, 1, 0, 59))), '2026-11-01T04:59:00.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 11, 1, 1, 0))), '2026-11-01T05:00:00.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 11, 1, 1, 30))), '2026-11-01T05:30:00.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 11, 1, 1, 59, 59))), '2026-11-01T05:59:59.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 11, 1, 2, 0))), '2026-11-01T07:00:00.000Z');
  });

  test('Europe/Berlin transitions (2026-03-29 and 2026-10-25)', () => {
    const tz = 'Europe/Berlin';
    assert.equal(iso(zonedToInstant(tz, local(2026, 3, 29, 2, 30))), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 3, 29, 3, 0))), '2026-03-29T01:00:00.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 10, 25, 2, 30))), '2026-10-25T00:30:00.000Z');
    assert.equal(iso(zonedToInstant(tz, local(2026, 10, 25, 3, 0))), '2026-10-25T02:00:00.000Z');
  });

  test('a 30-minute DST change (Australia/Lord_Howe) follows the same rule', () => {
    const tz = 'Australia/Lord_Howe';
    // 2026-10-04 02:00 +10:30 jumps to 02:30 +11:00.
    assert.equal(iso(zonedToInstant(tz, local(2026, 10, 4, 2, 15))), '2026-10-03T15:30:00.000Z');
    // 2026-04-05 02:00 +11:00 falls back to 01:30 +10:30; 01:45 happens twice.
    assert.equal(iso(zonedToInstant(tz, local(2026, 4, 5, 1, 45))), '2026-04-04T14:45:00.000Z');
  });

  test('local -> instant -> local round-trips for every quarter hour of a DST year', () => {
    const tz = 'America/New_York';
    for (let t = at('2026-01-01T00:00:00Z'); t < at('2027-01-01T00:00:00Z'); t += 15 * 60_000) {
      const p = zonedParts(tz, t);
      const back = zonedToInstant(tz, p);
      // Only the second pass through the fall-back hour maps to the earlier, first occurrence.
      if (back !== t) {
        assert.equal(back, t - H, `${iso(t)} resolved to ${iso(back)}`);
        assert.ok(t >= at('2026-11-01T06:00:00Z') && t < at('2026-11-01T07:00:00Z'));
      }
    }
  });
});

describe('day numbers and dates', () => {
  test('localDayNumber uses the local date, not the UTC date', () => {
    const epochDay = dateToDayNumber(2026, 1, 2);
    assert.equal(localDayNumber('Asia/Shanghai', at('2026-01-01T15:59:59Z')), epochDay - 1);
    assert.equal(localDayNumber('Asia/Shanghai', at('2026-01-01T16:00:00Z')), epochDay);
    assert.equal(localDayNumber('America/New_York', at('2026-01-02T04:59:59Z')), epochDay - 1);
    assert.equal(localDayNumber('America/New_York', at('2026-01-02T05:00:00Z')), epochDay);
  });

  test('dateToDayNumber and dayNumberToDate are inverses across leap days and years', () => {
    assert.equal(dateToDayNumber(1970, 1, 1), 0);
    assert.equal(dateToDayNumber(1969, 12, 31), -1);
    assert.deepEqual(dayNumberToDate(0), { year: 1970, month: 1, day: 1 });
    assert.deepEqual(dayNumberToDate(-1), { year: 1969, month: 12, day: 31 });
    assert.equal(dateToDayNumber(2024, 3, 1) - dateToDayNumber(2024, 2, 28), 2);
    assert.equal(dateToDayNumber(2026, 3, 1) - dateToDayNumber(2026, 2, 28), 1);
    for (let n = -800_000; n < 2_900_000; n += 997) {
      const d = dayNumberToDate(n);
      assert.equal(dateToDayNumber(d.year, d.month, d.day), n);
    }
    assert.deepEqual(dayNumberToDate(dateToDayNumber(5, 3, 1)), { year: 5, month: 3, day: 1 });
  });

  test('weekdayOfDayNumber: 1970-01-01 was a Thursday, 2026-11-21 a Saturday', () => {
    assert.equal(weekdayOfDayNumber(0), 4);
    assert.equal(weekdayOfDayNumber(-1), 3);
    assert.equal(weekdayOfDayNumber(dateToDayNumber(2026, 11, 21)), 6);
    assert.equal(weekdayOfDayNumber(dateToDayNumber(2026, 11, 22)), 0);
  });

  test('formatDate pads and isValidDate rejects impossible dates', () => {
    assert.equal(formatDate(2026, 3, 8), '2026-03-08');
    assert.equal(formatDate(987, 12, 31), '0987-12-31');
    assert.equal(isValidDate(2026, 2, 28), true);
    assert.equal(isValidDate(2026, 2, 29), false);
    assert.equal(isValidDate(2024, 2, 29), true);
    assert.equal(isValidDate(2026, 2, 30), false);
    assert.equal(isValidDate(2026, 4, 31), false);
    assert.equal(isValidDate(2026, 13, 1), false);
    assert.equal(isValidDate(2026, 0, 1), false);
  });

  test('formatZoned writes local time with the offset in force', () => {
    assert.equal(formatZoned('Asia/Shanghai', at('2026-11-21T18:05:00Z')), '2026-11-22T02:05:00+08:00');
    assert.equal(formatZoned('America/New_York', at('2026-11-01T05:30:00Z')), '2026-11-01T01:30:00-04:00');
    assert.equal(formatZoned('America/New_York', at('2026-11-01T06:30:00Z')), '2026-11-01T01:30:00-05:00');
    assert.equal(formatZoned('Asia/Kathmandu', at('2026-01-01T00:00:00Z')), '2026-01-01T05:45:00+05:45');
    assert.equal(formatZoned('UTC', at('2026-01-01T00:00:00Z')), '2026-01-01T00:00:00+00:00');
  });
});

describe('bulk helpers', () => {
  test('an offset timeline agrees with Intl every 25 minutes of a year, gaps included', () => {
    for (const tz of ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe']) {
      const from = at('2026-01-01T00:00:00Z');
      const to = at('2027-01-01T00:00:00Z');
      const timeline = createOffsetTimeline(tz, from, to);
      for (let t = from; t < to; t += 25 * 60_000) {
        assert.equal(timeline.offsetAt(t), offsetMs(tz, t), `${tz} offset at ${iso(t)}`);
        const wall = t + 7 * 60_000; // not aligned with transitions
        assert.equal(timeline.wallToInstant(wall), wallToInstant(tz, wall), `${tz} wall ${iso(wall)}`);
      }
    }
  });

  test('maxWallUpTo remembers the later wall times shown before a fall-back', () => {
    const tz = 'America/New_York';
    // 06:10Z is 01:10 EST, but the clock already showed 01:59:59.999 EDT.
    assert.equal(maxWallUpTo(tz, at('2026-11-01T06:10:00Z')), at('2026-11-01T01:59:59.999Z'));
    assert.equal(maxWallUpTo(tz, at('2026-11-01T07:10:00Z')), at('2026-11-01T02:10:00Z'));
    assert.equal(maxWallUpTo(tz, at('2026-11-01T05:10:00Z')), at('2026-11-01T01:10:00Z'));
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileSchedule } from '../domain/schedule/compile-schedule.js';
import { formatZoned } from '../domain/time-zone.js';
import { missedRuns } from './missed-runs.js';

const at = (iso: string): number => Date.parse(iso);
const H = 3_600_000;

// Down from just after the 2026-01-05 10:00 run until 2026-01-08 10:30: three days and a half hour.
const lastDue = at('2026-01-05T10:00:00Z');
const now = at('2026-01-08T10:30:00Z');

describe('a simulated 3-day downtime of an hourly job', () => {
  const hourly = compileSchedule({ every: '1h' });

  test('skip: no runs, every missed due time recorded as dropped, resume at the next hour', () => {
    const r = missedRuns(hourly, lastDue, now, 'skip');
    assert.deepEqual(r.runs, []);
    assert.equal(r.missed, 72); // 11:00 on the 5th .. 10:00 on the 8th
    assert.equal(r.dropped, 72);
    assert.equal(r.resumeAtMs, at('2026-01-08T11:00:00Z'));
  });

  test('once: one run carrying the latest missed due time', () => {
    const r = missedRuns(hourly, lastDue, now, 'once');
    assert.deepEqual(r.runs, [at('2026-01-08T10:00:00Z')]);
    assert.equal(r.missed, 72);
    assert.equal(r.dropped, 71);
  });

  test('all: each missed due time, oldest first', () => {
    const r = missedRuns(hourly, lastDue, now, { policy: 'all', maxCatchUp: 1000 });
    assert.equal(r.runs.length, 72);
    assert.equal(r.runs[0], at('2026-01-05T11:00:00Z'));
    assert.equal(r.runs.at(-1), at('2026-01-08T10:00:00Z'));
    assert.ok(r.runs.every((t, i) => i === 0 || t - r.runs[i - 1]! === H));
    assert.equal(r.dropped, 0);
  });

  test('all with maxCatchUp keeps the most recent and reports how many were dropped', () => {
    const r = missedRuns(hourly, lastDue, now, { policy: 'all', maxCatchUp: 10 });
    assert.deepEqual(
      r.runs.map((t) => new Date(t).toISOString().slice(11, 16)),
      ['01:00', '02:00', '03:00', '04:00', '05:00', '06:00', '07:00', '08:00', '09:00', '10:00'],
    );
    assert.equal(r.runs[0], at('2026-01-08T01:00:00Z'));
    assert.equal(r.dropped, 62);
  });

  test("'all' defaults to at most 100 runs", () => {
    const r = missedRuns(compileSchedule({ every: '1m' }), lastDue, now, 'all');
    assert.equal(r.runs.length, 100);
    assert.equal(r.missed, 3 * 24 * 60 + 29); // 10:01 on the 5th .. 10:29 on the 8th; 10:30 is due now
    assert.equal(r.dropped, 3 * 24 * 60 + 29 - 100);
  });
});

describe('catch-up of other schedules', () => {
  test('a daily cron in Asia/Shanghai: three missed days', () => {
    const daily = compileSchedule({ cron: '0 2 * * *', timezone: 'Asia/Shanghai' });
    const last = at('2026-01-05T02:00:00+08:00');
    const r = missedRuns(daily, last, at('2026-01-08T12:00:00+08:00'), { policy: 'all' });
    assert.deepEqual(
      r.runs.map((t) => formatZoned('Asia/Shanghai', t)),
      ['2026-01-06T02:00:00+08:00', '2026-01-07T02:00:00+08:00', '2026-01-08T02:00:00+08:00'],
    );
    assert.equal(formatZoned('Asia/Shanghai', r.resumeAtMs!), '2026-01-09T02:00:00+08:00');
  });

  test('intensive windows: only due times inside the windows count', () => {
    const draw = compileSchedule({ every: '10s', between: ['20:55', '21:05'], timezone: 'Asia/Shanghai' });
    const r = missedRuns(draw, lastDue, now, { policy: 'all', maxCatchUp: 5 });
    assert.equal(r.missed, 3 * 60); // three evenings of 60 runs
    assert.deepEqual(
      r.runs.map((t) => formatZoned('Asia/Shanghai', t).slice(11, 19)),
      ['21:04:10', '21:04:20', '21:04:30', '21:04:40', '21:04:50'],
    );
  });

  test('a 1 s interval down for 3 days costs O(maxCatchUp), not O(missed)', () => {
    const everySecond = compileSchedule({ every: '1s' });
    const r = missedRuns(everySecond, lastDue, now, { policy: 'all', maxCatchUp: 100 });
    assert.equal(r.missed, (now - lastDue) / 1000 - 1);
    assert.equal(r.runs.length, 100);
    assert.equal(r.runs.at(-1), now - 1000);
    // Down for 10,000 years: 3e11 missed due times, counted and chosen without listing them
    // (a walk over them would not finish), exactly.
    const longAgo = lastDue - 10_000 * 365 * 86_400_000;
    const ages = missedRuns(everySecond, longAgo, now, {
      policy: 'all',
      maxCatchUp: 100,
      countLimit: Number.MAX_SAFE_INTEGER,
    });
    assert.equal(ages.missed, (now - longAgo) / 1000 - 1);
    assert.equal(ages.countCapped, false);
    assert.deepEqual(ages.runs, r.runs);
  });

  test('a second-level cron is counted up to countLimit', () => {
    const cron = compileSchedule({ cron: '* * * * * *' });
    const r = missedRuns(cron, lastDue, now, { policy: 'once', countLimit: 10_000 });
    assert.equal(r.missed, 10_000);
    assert.equal(r.countCapped, true);
    assert.deepEqual(r.runs, [now - 1000]);
  });

  test('a run due exactly now is not missed: the schedule resumes with it', () => {
    const hourly = compileSchedule({ every: '1h' });
    const r = missedRuns(hourly, at('2026-01-05T10:00:00Z'), at('2026-01-05T12:00:00Z'), 'once');
    assert.equal(r.missed, 1);
    assert.deepEqual(r.runs, [at('2026-01-05T11:00:00Z')]);
    assert.equal(r.resumeAtMs, at('2026-01-05T12:00:00Z'));
  });

  test('no downtime, nothing missed', () => {
    const hourly = compileSchedule({ every: '1h' });
    const r = missedRuns(hourly, at('2026-01-05T10:00:00Z'), at('2026-01-05T10:59:59Z'), 'all');
    assert.deepEqual(r, {
      policy: 'all',
      runs: [],
      missed: 0,
      countCapped: false,
      dropped: 0,
      resumeAtMs: at('2026-01-05T11:00:00Z'),
    });
  });

  test('maxCatchUp must be a whole number of at least 1', () => {
    assert.throws(
      () => missedRuns(compileSchedule({ every: '1h' }), 0, 1, { policy: 'all', maxCatchUp: 0 }),
      RangeError,
    );
  });
});

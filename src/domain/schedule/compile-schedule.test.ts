import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatZoned } from '../time-zone.js';
import { compileSchedule } from './compile-schedule.js';
import type { ScheduleSpec } from './schedule-spec.js';

const at = (iso: string): number => Date.parse(iso);
const isos = (list: readonly number[]): string[] => list.map((t) => new Date(t).toISOString());
const local = (tz: string, list: readonly number[]): string[] => list.map((t) => formatZoned(tz, t));
const H = 3_600_000;

describe('every', () => {
  test('is aligned to the epoch by default', () => {
    const s = compileSchedule({ every: '10s' });
    assert.deepEqual(isos(s.dueBetween(at('2026-01-01T00:00:03Z'), at('2026-01-01T00:00:30Z'), 10)), [
      '2026-01-01T00:00:10.000Z',
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:30.000Z',
    ]);
    assert.equal(s.next(at('2026-01-01T00:00:10Z')), at('2026-01-01T00:00:20Z'), 'strictly after');
  });

  test('is aligned to an anchor given as ISO or epoch ms', () => {
    const iso = compileSchedule({ every: '1m', anchor: '2026-01-01T00:00:05Z' });
    const ms = compileSchedule({ every: 60_000, anchor: at('2026-01-01T00:00:05Z') });
    for (const s of [iso, ms]) {
      assert.deepEqual(isos(s.dueBetween(at('2026-03-01T10:00:00Z'), at('2026-03-01T10:02:00Z'), 10)), [
        '2026-03-01T10:00:05.000Z',
        '2026-03-01T10:01:05.000Z',
      ]);
    }
  });

  test('dueBetween stops at max', () => {
    assert.equal(compileSchedule({ every: '1s' }).dueBetween(0, 1e9, 5).length, 5);
  });
});

describe('cron', () => {
  test("'0 2 * * *' in Asia/Shanghai runs at 02:00 +08:00 every day", () => {
    const s = compileSchedule({ cron: '0 2 * * *', timezone: 'Asia/Shanghai' });
    const list = s.dueBetween(at('2026-01-01T00:00:00+08:00'), at('2026-01-31T23:59:59+08:00'), 100);
    assert.equal(list.length, 31);
    assert.equal(formatZoned('Asia/Shanghai', list[0]!), '2026-01-01T02:00:00+08:00');
    assert.ok(list.every((t, i) => i === 0 || t - list[i - 1]! === 24 * H));
  });

  test('a sixth field is seconds', () => {
    const s = compileSchedule({ cron: '*/20 * * * * *' });
    assert.deepEqual(isos(s.dueBetween(at('2026-01-01T00:00:00Z'), at('2026-01-01T00:01:00Z'), 10)), [
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
  });

  test('defaults to UTC', () => {
    assert.equal(
      compileSchedule({ cron: '30 4 * * *' }).next(at('2026-05-01T00:00:00Z')),
      at('2026-05-01T04:30:00Z'),
    );
  });
});

describe('between (a local daily window)', () => {
  const tz = 'Asia/Shanghai';
  const intensive = compileSchedule({ every: '10s', between: ['20:55', '21:05'], timezone: tz });

  test('every 10s from 20:55 to 21:05 local, nothing outside', () => {
    const day = intensive.dueBetween(at('2026-01-01T00:00:00+08:00'), at('2026-01-02T00:00:00+08:00'), 1000);
    assert.equal(day.length, 60); // [20:55:00, 21:05:00): 10 minutes of 10 s
    assert.equal(formatZoned(tz, day[0]!), '2026-01-01T20:55:00+08:00');
    assert.equal(formatZoned(tz, day.at(-1)!), '2026-01-01T21:04:50+08:00');
  });

  test('jumps from the end of one window to the start of the next', () => {
    assert.equal(
      formatZoned(tz, intensive.next(at('2026-01-01T21:04:50+08:00'))!),
      '2026-01-02T20:55:00+08:00',
    );
  });

  test('a window past midnight wraps', () => {
    const night = compileSchedule({ every: '30m', between: ['23:00', '01:00'], timezone: 'Europe/Berlin' });
    const list = night.dueBetween(at('2026-01-10T12:00:00+01:00'), at('2026-01-11T12:00:00+01:00'), 100);
    assert.deepEqual(local('Europe/Berlin', list), [
      '2026-01-10T23:00:00+01:00',
      '2026-01-10T23:30:00+01:00',
      '2026-01-11T00:00:00+01:00',
      '2026-01-11T00:30:00+01:00',
    ]);
  });

  test('also filters cron rules', () => {
    const s = compileSchedule({ cron: '*/30 * * * * *', between: ['09:00', '09:01:30'], timezone: tz });
    assert.deepEqual(
      local(tz, s.dueBetween(at('2026-02-02T00:00:00+08:00'), at('2026-02-03T00:00:00+08:00'), 10)),
      ['2026-02-02T09:00:00+08:00', '2026-02-02T09:00:30+08:00', '2026-02-02T09:01:00+08:00'],
    );
  });

  test("'00:00'-'24:00' is the whole day", () => {
    const s = compileSchedule({ every: '6h', between: ['00:00', '24:00'] });
    assert.equal(s.dueBetween(0, 86_400_000, 10).length, 4);
  });
});

describe('several rules', () => {
  test('due times are merged, duplicates collapsed', () => {
    const s = compileSchedule([{ every: '15m' }, { cron: '*/10 * * * *' }]);
    assert.deepEqual(isos(s.dueBetween(at('2026-01-01T00:00:00Z'), at('2026-01-01T01:00:00Z'), 100)), [
      '2026-01-01T00:10:00.000Z',
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T00:20:00.000Z',
      '2026-01-01T00:30:00.000Z', // both rules: once
      '2026-01-01T00:40:00.000Z',
      '2026-01-01T00:45:00.000Z',
      '2026-01-01T00:50:00.000Z',
      '2026-01-01T01:00:00.000Z', // both rules: once
    ]);
  });

  test('a daily collection plus intensive collection before a draw', () => {
    const tz = 'Asia/Shanghai';
    const s = compileSchedule([
      { cron: '0 2 * * *', timezone: tz },
      { every: '1m', between: ['20:58', '21:01'], timezone: tz },
    ]);
    assert.deepEqual(
      local(tz, s.dueBetween(at('2026-04-01T00:00:00+08:00'), at('2026-04-02T00:00:00+08:00'), 10)),
      [
        '2026-04-01T02:00:00+08:00',
        '2026-04-01T20:58:00+08:00',
        '2026-04-01T20:59:00+08:00',
        '2026-04-01T21:00:00+08:00',
      ],
    );
  });
});

describe('counting', () => {
  const specs: ScheduleSpec[] = [
    { every: '7s' },
    { every: '10s', between: ['20:55', '21:05'], timezone: 'Asia/Shanghai' },
    { every: '1m', between: ['01:00', '03:00'], timezone: 'America/New_York' },
    { cron: '*/13 * * * * *', timezone: 'Europe/Berlin' },
    [{ every: '1m' }, { cron: '0,30 * * * * *' }],
  ];
  // Spans a DST change in New York and in Berlin.
  const from = at('2026-03-06T00:00:00Z');
  const to = at('2026-03-09T12:00:00Z');

  for (const spec of specs) {
    test(`countBetween and latestBetween agree with listing: ${JSON.stringify(spec)}`, () => {
      const s = compileSchedule(spec);
      const all = s.dueBetween(from, to, Number.POSITIVE_INFINITY);
      assert.ok(all.length > 0);
      assert.equal(s.countBetween(from, to), all.length);
      assert.equal(s.countBetween(from, to, 10), Math.min(10, all.length));
      assert.deepEqual(s.latestBetween(from, to, 25), all.slice(-25));
      assert.deepEqual(s.latestBetween(from, to, all.length + 5), all);
    });
  }
});

describe('jitter', () => {
  const s = compileSchedule({ every: '1m', jitter: '5s' });
  const dues = s.dueBetween(0, 1000 * 60_000, 1000);

  test('starts fall in [due, due + jitter) and the due time stays nominal', () => {
    for (const due of dues) {
      assert.equal(due % 60_000, 0);
      const start = s.startAt('job-a', due);
      assert.ok(start >= due && start < due + 5000, `${start - due} ms`);
    }
  });

  test('is reproducible per job and due time, and differs between jobs', () => {
    const a = dues.map((d) => s.startAt('job-a', d));
    assert.deepEqual(
      dues.map((d) => s.startAt('job-a', d)),
      a,
    );
    const b = dues.map((d) => s.startAt('job-b', d));
    assert.ok(a.filter((x, i) => x === b[i]).length < 10);
  });

  test('is spread over the window', () => {
    const offsets = dues.map((d) => s.startAt('job-a', d) - d);
    const buckets = [0, 0, 0, 0, 0];
    for (const o of offsets) buckets[Math.floor(o / 1000)]!++;
    for (const n of buckets) assert.ok(n > 150 && n < 250, `buckets ${buckets}`);
  });

  test('without jitter a run starts on its due time', () => {
    assert.equal(compileSchedule({ every: '1m' }).startAt('x', 60_000), 60_000);
  });

  test('where merged rules coincide, the smaller jitter applies', () => {
    const merged = compileSchedule([
      { every: '10m', jitter: '30s' },
      { every: '15m', jitter: '2s' },
    ]);
    assert.equal(merged.jitterMs(at('2026-01-01T00:10:00Z')), 30_000);
    assert.equal(merged.jitterMs(at('2026-01-01T00:15:00Z')), 2000);
    assert.equal(merged.jitterMs(at('2026-01-01T00:30:00Z')), 2000);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPartitioning } from '../domain/create-partitioning.js';
import type { Partitioning } from '../domain/partitioning.js';
import { type Range, RangeSet } from '../domain/range-set.js';
import { completenessBuckets, MAX_BUCKETS } from './completeness.js';

const daily = (start: string, timezone = 'UTC', extra: Record<string, unknown> = {}) =>
  createPartitioning({ calendar: { every: '1d', timezone, start, ...extra } });
const ord = (p: Partitioning, value: string | number) => p.toOrdinal(value) as number;

/** Buckets over `[from, to]` with everything present but `missing`. */
function buckets(
  p: Partitioning,
  window: Range,
  options: { bucket?: Parameters<typeof completenessBuckets>[0]['bucket']; maxBuckets?: number } = {},
  missing: Range[] = [],
) {
  const present = RangeSet.fromRanges([window]);
  const holes = RangeSet.fromRanges(missing);
  const kept = RangeSet.fromRanges(present.ranges().flatMap(([a, b]) => holes.missing(a, b)));
  return completenessBuckets({
    partitioning: p,
    present: kept,
    knownMissing: new RangeSet(),
    window,
    bucket: options.bucket ?? 'auto',
    ...(options.maxBuckets === undefined ? {} : { maxBuckets: options.maxBuckets }),
  });
}

const sum = (bs: { expected: number }[]) => bs.reduce((n, b) => n + b.expected, 0);

describe('completeness over the whole range', () => {
  const p = daily('2022-01-01');
  const whole: Range = [ord(p, '2022-01-01'), ord(p, '2025-12-31')];

  it('shows a 1,461-day dataset whole, in months, with every day counted once', () => {
    const r = buckets(p, whole, {}, [[ord(p, '2024-02-10'), ord(p, '2024-02-19')]]);
    assert.equal(r.bucket, 'month');
    assert.equal(r.buckets.length, 48);
    assert.equal(r.buckets[0]?.label, '2022-01');
    assert.equal(r.buckets.at(-1)?.label, '2025-12');
    assert.equal(sum(r.buckets), 1461);
    const feb = r.buckets.find((b) => b.label === '2024-02');
    assert.deepEqual(
      [feb?.expected, feb?.present, feb?.start, feb?.end],
      [29, 19, '2024-02-01', '2024-02-29'],
    );
    assert.deepEqual(
      r.buckets.filter((b) => b.percent < 100).map((b) => b.label),
      ['2024-02'],
    );
  });

  it('uses ISO weeks (Monday first) when more buckets are allowed, and days when all fit', () => {
    const weeks = buckets(p, whole, { maxBuckets: 300 });
    assert.equal(weeks.bucket, 'week');
    // 2022-01-01 is a Saturday: its week began on Monday 2021-12-27 and holds two of its days.
    assert.deepEqual(
      [weeks.buckets[0]?.label, weeks.buckets[0]?.expected, weeks.buckets[1]?.label],
      ['week of 2021-12-27', 2, 'week of 2022-01-03'],
    );
    assert.equal(sum(weeks.buckets), 1461);
    assert.ok(weeks.buckets.length <= 300);
    const days = buckets(p, whole, { maxBuckets: MAX_BUCKETS * 2 });
    assert.equal(days.bucket, 'week', 'never more than MAX_BUCKETS, whatever is asked');
  });

  it('coarsens an asked bucket that would not fit, and never goes finer than one partition', () => {
    assert.equal(buckets(p, whole, { bucket: 'day' }).bucket, 'month');
    assert.equal(buckets(p, whole, { bucket: 'year' }).buckets.length, 4);
    const week: Range = [ord(p, '2024-02-05'), ord(p, '2024-02-11')];
    const hours = buckets(p, week, { bucket: 'hour' });
    assert.equal(hours.bucket, 'day');
    assert.equal(hours.buckets.length, 7);
  });

  it('zooms: a month of the range in days, labelled by date', () => {
    const feb: Range = [ord(p, '2024-02-01'), ord(p, '2024-02-29')];
    const r = buckets(p, feb, {}, [[ord(p, '2024-02-10'), ord(p, '2024-02-10')]]);
    assert.equal(r.bucket, 'day');
    assert.equal(r.buckets.length, 29);
    assert.deepEqual(
      r.buckets.filter((b) => b.percent === 0).map((b) => b.label),
      ['2024-02-10'],
    );
  });

  it('keeps days a calendar skips as buckets with nothing expected', () => {
    const weekdays = daily('2026-11-02', 'Asia/Shanghai', { exclude: { weekdays: [0, 6] } });
    const r = buckets(weekdays, [ord(weekdays, '2026-11-02'), ord(weekdays, '2026-11-13')]);
    assert.equal(r.bucket, 'day');
    assert.equal(r.buckets.length, 12);
    assert.deepEqual(
      r.buckets.filter((b) => b.expected === 0).map((b) => b.label),
      ['2026-11-07', '2026-11-08'],
    );
  });

  it('cuts intraday calendars into local hours, across a DST change', () => {
    const p5 = createPartitioning({ calendar: { every: '5m', timezone: 'Asia/Shanghai' } });
    const day: Range = [ord(p5, '2026-11-20T00:00:00+08:00'), ord(p5, '2026-11-20T23:55:00+08:00')];
    const r = buckets(p5, day);
    assert.equal(r.bucket, 'hour');
    assert.deepEqual(
      [r.buckets.length, r.buckets[0]?.label, r.buckets[0]?.expected, r.buckets.at(-1)?.label],
      [24, '2026-11-20 00:00', 12, '2026-11-20 23:00'],
    );
    // New York leaves DST on 2026-11-01: 01:00–01:59 happens twice and is one bucket of 24 slots.
    const ny = createPartitioning({ calendar: { every: '5m', timezone: 'America/New_York' } });
    const fallBack: Range = [ord(ny, '2026-11-01T00:00:00-04:00'), ord(ny, '2026-11-01T23:55:00-05:00')];
    const dst = buckets(ny, fallBack);
    assert.equal(sum(dst.buckets), 300);
    assert.equal(dst.buckets.find((b) => b.label === '2026-11-01 01:00')?.expected, 24);
  });

  it('cuts sequences into aligned blocks of 1, 2, 5, 10, … partitions', () => {
    const seq = createPartitioning({ sequence: { start: 3001 } });
    const small = buckets(seq, [0, 11]);
    assert.deepEqual([small.bucket, small.blockSize, small.buckets.length], ['block', 1, 12]);
    const r = buckets(seq, [0, 999], { maxBuckets: 60 }, [[500, 509]]);
    assert.deepEqual([r.blockSize, r.buckets.length], [20, 50]);
    assert.deepEqual(r.buckets[0], {
      start: 3001,
      end: 3020,
      label: '3001–3020',
      expected: 20,
      present: 20,
      knownMissing: 0,
      percent: 100,
    });
    assert.deepEqual(
      r.buckets.filter((b) => b.percent < 100).map((b) => [b.label, b.present]),
      [['3501–3520', 10]],
    );
  });

  it('answers for ten million partitions in a bounded number of buckets, counting by ranges', () => {
    const seq = createPartitioning({ sequence: { start: 1 } });
    // Every thousandth partition missing: ten thousand holes.
    const holes: Range[] = Array.from({ length: 10_000 }, (_, i) => [i * 1000 + 7, i * 1000 + 7] as const);
    const r = buckets(seq, [0, 9_999_999], {}, holes);
    assert.deepEqual([r.blockSize, r.buckets.length], [100_000, 100]);
    assert.equal(sum(r.buckets), 10_000_000);
    assert.equal(
      r.buckets.reduce((n, b) => n + b.present, 0),
      10_000_000 - 10_000,
    );
    const minutes = createPartitioning({ calendar: { every: '1m', timezone: 'UTC', start: '2007-01-01' } });
    const years: Range = [ord(minutes, '2007-01-01T00:00:00Z'), ord(minutes, '2026-12-31T23:59:00Z')];
    const m = buckets(minutes, years);
    assert.deepEqual([m.bucket, m.buckets.length], ['year', 20]);
    assert.equal(sum(m.buckets), years[1] - years[0] + 1);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBucketClock, isAtLeast } from './bucket-time.js';

const at = (iso: string) => Date.parse(iso);

describe('bucket starts in a time zone', () => {
  test('UTC hours, minutes and days', () => {
    assert.equal(
      createBucketClock('hour', 'UTC').startOf(at('2026-03-01T10:59:59.999Z')),
      at('2026-03-01T10:00:00Z'),
    );
    assert.equal(
      createBucketClock('minute', 'UTC').startOf(at('2026-03-01T10:59:30Z')),
      at('2026-03-01T10:59:00Z'),
    );
    assert.equal(
      createBucketClock('day', 'UTC').startOf(at('2026-03-01T23:59:00Z')),
      at('2026-03-01T00:00:00Z'),
    );
  });

  test('a day starts at local midnight: Asia/Shanghai is UTC+8', () => {
    const day = createBucketClock('day', 'Asia/Shanghai');
    assert.equal(day.startOf(at('2026-03-01T15:59:00Z')), at('2026-02-28T16:00:00Z'));
    assert.equal(day.startOf(at('2026-03-01T16:00:00Z')), at('2026-03-01T16:00:00Z'));
  });

  test('hours of a half-hour zone start at :30 UTC', () => {
    const hour = createBucketClock('hour', 'Asia/Kolkata');
    assert.equal(hour.startOf(at('2026-03-01T10:29:00Z')), at('2026-03-01T09:30:00Z'));
    assert.equal(hour.startOf(at('2026-03-01T10:30:00Z')), at('2026-03-01T10:30:00Z'));
  });

  test('the repeated fall-back hour is two buckets; the short spring day is one bucket', () => {
    const hour = createBucketClock('hour', 'America/New_York');
    // 2026-11-01 01:00-02:00 local happens twice: 05:00Z (EDT) and 06:00Z (EST).
    assert.equal(hour.startOf(at('2026-11-01T05:30:00Z')), at('2026-11-01T05:00:00Z'));
    assert.equal(hour.startOf(at('2026-11-01T06:30:00Z')), at('2026-11-01T06:00:00Z'));
    const day = createBucketClock('day', 'America/New_York');
    assert.equal(day.startOf(at('2026-03-08T23:00:00Z')), at('2026-03-08T05:00:00Z'));
    assert.equal(day.startOf(at('2026-03-09T03:59:00Z')), at('2026-03-08T05:00:00Z'));
    assert.equal(day.startOf(at('2026-03-09T04:00:00Z')), at('2026-03-09T04:00:00Z'));
  });

  test('coarser buckets', () => {
    assert.ok(isAtLeast('day', 'hour'));
    assert.ok(isAtLeast('hour', 'hour'));
    assert.ok(!isAtLeast('minute', 'hour'));
  });
});

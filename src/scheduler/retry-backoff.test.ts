import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededUnit } from '../domain/schedule/schedule-jitter.js';
import { retryDelay } from './retry-backoff.js';

test('doubles from initial up to max', () => {
  const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((a) =>
    retryDelay(a, { initial: 1000, max: 60_000, jitter: 0 }),
  );
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
});

test('defaults: 1s doubling to 1m', () => {
  assert.equal(retryDelay(1), 1000);
  assert.equal(retryDelay(3), 4000);
  assert.equal(retryDelay(50), 60_000);
});

test('a custom factor', () => {
  assert.deepEqual(
    [1, 2, 3].map((a) => retryDelay(a, { initial: 100, max: 10_000, factor: 3, jitter: 0 })),
    [100, 300, 900],
  );
});

test('very high attempts stay at max instead of overflowing', () => {
  assert.equal(retryDelay(5000, { initial: 1000, max: 30_000, jitter: 0 }), 30_000);
});

test('jitter takes up to its share off the delay, reproducibly from a seed', () => {
  const options = { initial: 10_000, max: 10_000, jitter: 0.5 };
  assert.equal(retryDelay(1, options, 0), 10_000);
  assert.equal(retryDelay(1, options, 0.5), 7500);
  const seeded = Array.from({ length: 200 }, (_, i) => retryDelay(1, options, seededUnit('job', i)));
  assert.ok(seeded.every((d) => d > 5000 && d <= 10_000));
  assert.ok(new Set(seeded).size > 150, 'delays are spread');
  assert.deepEqual(
    Array.from({ length: 200 }, (_, i) => retryDelay(1, options, seededUnit('job', i))),
    seeded,
  );
});

test('rejects attempts below 1 and inconsistent options', () => {
  assert.throws(() => retryDelay(0), RangeError);
  assert.throws(() => retryDelay(1, { initial: 5000, max: 1000 }), /initial <= max/);
  assert.throws(() => retryDelay(1, { jitter: 2 }), RangeError);
});

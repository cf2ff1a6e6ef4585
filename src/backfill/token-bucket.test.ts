import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '../internal/clock.js';
import { backoffDelay, TokenBucket } from './token-bucket.js';

const T0 = Date.UTC(2026, 0, 1);

describe('TokenBucket', () => {
  it('gives a full bucket at once, then says how long until the next token', () => {
    const clock = createManualClock(T0);
    const bucket = new TokenBucket(20, 5, clock);
    for (let i = 0; i < 5; i++) assert.equal(bucket.take(), 0, `token ${i + 1} of the burst`);
    assert.equal(bucket.take(), 50);
    clock.advance(49);
    assert.equal(bucket.take(), 1);
    clock.advance(1);
    assert.equal(bucket.take(), 0);
    assert.equal(bucket.take(), 50);
  });

  it('refills continuously but never beyond the burst', () => {
    const clock = createManualClock(T0);
    const bucket = new TokenBucket(10, 3, clock);
    for (let i = 0; i < 3; i++) bucket.take();
    clock.advance(60_000);
    for (let i = 0; i < 3; i++) assert.equal(bucket.take(), 0);
    assert.equal(bucket.take(), 100);
  });

  it('hands out burst + rate x seconds tokens to a caller that waits as told', () => {
    const clock = createManualClock(T0);
    const rate = 7;
    const bucket = new TokenBucket(rate, 4, clock);
    let taken = 0;
    while (clock.now() - T0 < 60_000) {
      const wait = bucket.take();
      if (wait === 0) taken++;
      else clock.advance(wait);
    }
    // The wait is rounded up to whole ms, so the achieved rate may fall short by a hair, never exceed.
    assert.ok(taken <= 4 + rate * 60, `took ${taken}`);
    assert.ok(taken >= 4 + rate * 60 - 1, `took ${taken}`);
  });

  it('works with a rate below one per second', () => {
    const clock = createManualClock(T0);
    const bucket = new TokenBucket(0.5, 1, clock);
    assert.equal(bucket.take(), 0);
    assert.equal(bucket.take(), 2000);
    clock.advance(2000);
    assert.equal(bucket.take(), 0);
  });
});

describe('backoffDelay', () => {
  it('doubles from the initial delay with equal jitter, capped at the maximum', () => {
    const low = () => 0;
    const high = () => 0.999_999;
    assert.equal(backoffDelay(1, 100, 10_000, low), 50);
    assert.equal(backoffDelay(1, 100, 10_000, high), 100);
    assert.equal(backoffDelay(3, 100, 10_000, low), 200);
    assert.equal(backoffDelay(3, 100, 10_000, high), 400);
    assert.equal(backoffDelay(20, 100, 10_000, high), 10_000);
    assert.equal(backoffDelay(20, 100, 10_000, low), 5_000);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextDelivery } from './delivery-policy.js';

const settings = {
  maxAttempts: 5,
  retryInitialMs: 1000,
  retryMaxMs: 10_000,
  leaseMs: 60_000,
  concurrency: 4,
};
const T0 = 1_700_000_000_000;
const fail = (retryable: boolean, retryAfterMs?: number) => ({
  ok: false as const,
  retryable,
  error: 'HTTP 503',
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});

describe('nextDelivery', () => {
  it('delivered on success', () => {
    assert.deepEqual(nextDelivery({ ok: true, status: 200 }, 3, settings, T0), { state: 'delivered' });
  });

  it('backs off exponentially up to retryMax, then gives up after maxAttempts', () => {
    const waits = [0, 1, 2, 3].map((before) => {
      const next = nextDelivery(fail(true), before, settings, T0);
      return next.state === 'pending' ? next.nextAttemptAt - T0 : next.state;
    });
    assert.deepEqual(waits, [1000, 2000, 4000, 8000]);
    assert.deepEqual(nextDelivery(fail(true), 4, { ...settings, maxAttempts: 5 }, T0), { state: 'failed' });
    assert.deepEqual(nextDelivery(fail(true), 3, { ...settings, retryMaxMs: 5000 }, T0), {
      state: 'pending',
      nextAttemptAt: T0 + 5000,
    });
  });

  it("honours the receiver's Retry-After when it asks for longer", () => {
    assert.deepEqual(nextDelivery(fail(true, 30_000), 0, settings, T0), {
      state: 'pending',
      nextAttemptAt: T0 + 30_000,
    });
    assert.deepEqual(nextDelivery(fail(true, 10), 2, settings, T0), {
      state: 'pending',
      nextAttemptAt: T0 + 4000,
    });
  });

  it('a failure not worth repeating is given up at once', () => {
    assert.deepEqual(nextDelivery(fail(false), 0, settings, T0), { state: 'failed' });
  });
});

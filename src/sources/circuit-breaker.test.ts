import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '../internal/clock.js';
import { type BreakerState, createCircuitBreaker } from './circuit-breaker.js';

const T0 = Date.UTC(2025, 0, 1);

function setup(failureThreshold = 3, cooldownMs = 30_000) {
  const clock = createManualClock(T0);
  const changes: [BreakerState, BreakerState][] = [];
  const breaker = createCircuitBreaker({
    failureThreshold,
    cooldownMs,
    clock,
    onStateChange: (state, previous) => changes.push([previous, state]),
  });
  return { clock, breaker, changes };
}

describe('circuit breaker', () => {
  it('stays closed below the threshold and counts only consecutive failures', () => {
    const { breaker } = setup();
    breaker.onFailure(new Error('a'));
    breaker.onFailure(new Error('b'));
    breaker.onSuccess();
    breaker.onFailure(new Error('c'));
    breaker.onFailure(new Error('d'));
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.canCall(), true);
    assert.equal(breaker.health('s').consecutiveFailures, 2);
  });

  it('opens at the threshold and refuses calls until the cooldown has passed', () => {
    const { breaker, clock, changes } = setup();
    for (let i = 0; i < 3; i++) breaker.onFailure(new Error(`HTTP 500 #${i}`));
    assert.equal(breaker.state, 'open');
    assert.deepEqual(changes, [['closed', 'open']]);
    const health = breaker.health('primary');
    assert.deepEqual(health, {
      source: 'primary',
      state: 'open',
      consecutiveFailures: 3,
      lastSuccessAt: null,
      lastFailureAt: T0,
      lastError: 'HTTP 500 #2',
      retryAt: T0 + 30_000,
    });
    assert.equal(breaker.canCall(), false);
    clock.advance(29_999);
    assert.equal(breaker.canCall(), false);
  });

  it('admits exactly one trial when half-open, and closes when it succeeds', () => {
    const { breaker, clock, changes } = setup();
    for (let i = 0; i < 3; i++) breaker.onFailure(new Error('x'));
    clock.advance(30_000);
    assert.equal(breaker.canCall(), true);
    assert.equal(breaker.state, 'half-open');
    assert.equal(breaker.canCall(), false, 'a second caller must wait for the trial');
    breaker.onSuccess();
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.canCall(), true);
    assert.deepEqual(changes, [
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'closed'],
    ]);
    const health = breaker.health('p');
    assert.equal(health.consecutiveFailures, 0);
    assert.equal(health.lastSuccessAt, T0 + 30_000);
    assert.equal(health.retryAt, null);
  });

  it('re-opens for a fresh cooldown when the trial fails', () => {
    const { breaker, clock } = setup();
    for (let i = 0; i < 3; i++) breaker.onFailure(new Error('x'));
    clock.advance(31_000);
    assert.equal(breaker.canCall(), true);
    breaker.onFailure(new Error('still down'));
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.retryAt(), T0 + 31_000 + 30_000);
    clock.advance(29_000);
    assert.equal(breaker.canCall(), false);
    clock.advance(1000);
    assert.equal(breaker.canCall(), true);
  });

  it('frees the trial slot on release (a trial that ended without a verdict)', () => {
    const { breaker, clock } = setup(1, 1000);
    breaker.onFailure(new Error('x'));
    clock.advance(1000);
    assert.equal(breaker.canCall(), true);
    assert.equal(breaker.canCall(), false);
    breaker.release();
    assert.equal(breaker.canCall(), true);
    assert.equal(breaker.state, 'half-open');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decideOverlap,
  IDLE,
  type OverlapPolicy,
  type OverlapState,
  onDue,
  onFinish,
} from './overlap-policy.js';

describe('decideOverlap', () => {
  test('nothing running: start', () => {
    assert.equal(decideOverlap('skip', false, 0), 'start');
    assert.equal(decideOverlap('queue', false, 0), 'start');
  });

  test('skip: a run due while one runs is skipped', () => {
    assert.equal(decideOverlap('skip', true, 0), 'skip');
  });

  test('queue: one run waits, a second one is skipped', () => {
    assert.equal(decideOverlap('queue', true, 0), 'queue');
    assert.equal(decideOverlap('queue', true, 1), 'skip');
  });
});

/** Drives the state machine: a run falls due every 10 ticks and takes 22, so the job cannot keep up. */
function simulate(policy: OverlapPolicy) {
  let state: OverlapState = IDLE;
  const started: number[] = [];
  const skipped: number[] = [];
  let finishAt = Number.POSITIVE_INFINITY;
  for (let t = 0; t <= 100; t++) {
    if (t === finishAt) {
      const step = onFinish(state);
      state = step.state;
      finishAt = step.start === undefined ? Number.POSITIVE_INFINITY : t + 22;
      if (step.start !== undefined) started.push(step.start / 10);
    }
    if (t % 10 !== 0) continue;
    const step = onDue(state, policy, t);
    state = step.state;
    if (step.start !== undefined) {
      started.push(step.start / 10);
      finishAt = t + 22;
    }
    if (step.skipped !== undefined) skipped.push(step.skipped / 10);
  }
  return { started, skipped, queued: state.queuedDue === undefined ? undefined : state.queuedDue / 10 };
}

describe('overlap state machine with a job slower than its schedule', () => {
  test('skip: runs start on their due times, the ones in between are skipped', () => {
    const { started, skipped } = simulate('skip');
    assert.deepEqual(started, [0, 3, 6, 9]);
    assert.deepEqual(skipped, [1, 2, 4, 5, 7, 8, 10]);
  });

  test('queue: at most one run waits, so there is no backlog', () => {
    const { started, skipped, queued } = simulate('queue');
    // 0 runs until 2.2; 1 waits and starts then (until 4.4); 2 is skipped; 3 waits ...
    assert.deepEqual(started, [0, 1, 3, 5, 7]);
    assert.deepEqual(skipped, [2, 4, 6, 8, 10]);
    assert.equal(queued, 9);
  });

  test('a queued run keeps its own due time when it starts', () => {
    let state = onDue(IDLE, 'queue', 100).state;
    state = onDue(state, 'queue', 200).state;
    const end = onFinish(state);
    assert.equal(end.start, 200);
    assert.deepEqual(end.state, { runningDue: 200, queuedDue: undefined });
    assert.deepEqual(onFinish(end.state).state, IDLE);
  });
});

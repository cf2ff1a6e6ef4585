import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileSchedule } from '../domain/schedule/compile-schedule.js';
import type { Schedule } from '../domain/schedule/schedule.js';
import { createManualClock } from '../internal/clock.js';
import { createDuePlanner } from './due-planner.js';

describe('planTick', () => {
  test('takes the due runs in due order and tells when to wake next', () => {
    const planner = createDuePlanner();
    planner.set('b', { nextDueMs: 2000, paused: false });
    planner.set('a', { nextDueMs: 2000, paused: false });
    planner.set('c', { nextDueMs: 1000, paused: false });
    planner.set('later', { nextDueMs: 9000, paused: false });
    const plan = planner.planTick(2000);
    assert.deepEqual(plan.due, [
      { jobId: 'c', dueMs: 1000, startMs: 1000 },
      { jobId: 'b', dueMs: 2000, startMs: 2000 }, // set before 'a'
      { jobId: 'a', dueMs: 2000, startMs: 2000 },
    ]);
    assert.equal(plan.nextWakeupMs, 9000);
    // Taken without reschedule: the jobs wait for `set`.
    assert.deepEqual(planner.get('a'), { nextDueMs: undefined, paused: false });
    assert.deepEqual(planner.planTick(5000).due, []);
  });

  test('paused jobs are never due, and keep their due time for when they resume', () => {
    const planner = createDuePlanner();
    planner.set('p', { nextDueMs: 1000, paused: true });
    planner.set('q', { nextDueMs: 3000, paused: false });
    assert.deepEqual(planner.planTick(2000), { due: [], nextWakeupMs: 3000 });
    planner.set('p', { ...planner.get('p')!, paused: false });
    assert.deepEqual(planner.planTick(2000).due, [{ jobId: 'p', dueMs: 1000, startMs: 1000 }]);
  });

  test('reschedule puts a job back with its next due time; one run per job per tick', () => {
    const planner = createDuePlanner();
    const every = compileSchedule({ every: '1s' });
    planner.set('x', { nextDueMs: 1000, paused: false });
    const plan = planner.planTick(3500, { reschedule: (run) => every.next(run.dueMs) });
    assert.deepEqual(plan.due, [{ jobId: 'x', dueMs: 1000, startMs: 1000 }]);
    assert.equal(plan.nextWakeupMs, 2000, 'already past: due at the next tick');
    assert.deepEqual(planner.planTick(3500, { reschedule: (run) => every.next(run.dueMs) }).due, [
      { jobId: 'x', dueMs: 2000, startMs: 2000 },
    ]);
  });

  test('with jitter, runs are taken at their start and keep their nominal due time', () => {
    const schedule = compileSchedule({ every: '1m', jitter: '30s' });
    const planner = createDuePlanner({ startAt: (id, due) => schedule.startAt(id, due) });
    const due = 60_000;
    const start = schedule.startAt('j', due);
    assert.ok(start > due && start < due + 30_000, 'this seed gets a non-zero jitter');
    planner.set('j', { nextDueMs: due, paused: false });
    assert.equal(planner.nextWakeupMs(), start);
    assert.deepEqual(planner.planTick(start - 1).due, []);
    assert.deepEqual(planner.planTick(start).due, [{ jobId: 'j', dueMs: due, startMs: start }]);
  });

  test('max bounds a tick; the rest stay due', () => {
    const planner = createDuePlanner();
    for (let i = 0; i < 10; i++) planner.set(`j${i}`, { nextDueMs: i, paused: false });
    assert.equal(planner.planTick(100, { max: 4 }).due.length, 4);
    assert.equal(planner.planTick(100).due.length, 6);
  });

  test('a job that will not fire again leaves the heap', () => {
    const planner = createDuePlanner();
    planner.set('once', { nextDueMs: 10, paused: false });
    assert.deepEqual(planner.planTick(10, { reschedule: () => undefined }), {
      due: [{ jobId: 'once', dueMs: 10, startMs: 10 }],
      nextWakeupMs: undefined,
    });
    assert.equal(planner.delete('once'), true);
    assert.equal(planner.size, 0);
  });
});

test('10,000 jobs over a simulated minute: every due time fires once, in order, on time', () => {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const clock = createManualClock(start);
  const planner = createDuePlanner();
  const schedules = new Map<string, Schedule>();
  const expected = new Map<string, number>();
  for (let i = 0; i < 10_000; i++) {
    const spec =
      i % 2 === 0
        ? { every: `${1 + ((i >> 1) % 10)}s` }
        : { cron: `*/${[2, 3, 5, 10, 15][i % 5]} * * * * *`, timezone: 'Europe/Berlin' };
    const s = compileSchedule(spec);
    schedules.set(`job-${i}`, s);
    planner.set(`job-${i}`, { nextDueMs: s.next(start), paused: false });
    expected.set(`job-${i}`, s.countBetween(start, start + 60_000));
  }
  const fired = new Map<string, number>();
  let last = -1;
  let ticks = 0;
  for (;;) {
    const plan = planner.planTick(clock.now(), {
      reschedule: (run) => schedules.get(run.jobId)!.next(run.dueMs),
    });
    for (const run of plan.due) {
      if (run.dueMs !== clock.now() || run.dueMs < last)
        assert.fail(`${run.jobId} due ${run.dueMs} at ${clock.now()}`);
      last = run.dueMs;
      fired.set(run.jobId, (fired.get(run.jobId) ?? 0) + 1);
    }
    ticks++;
    if (plan.nextWakeupMs === undefined || plan.nextWakeupMs > start + 60_000) break;
    clock.set(plan.nextWakeupMs);
  }
  assert.equal(ticks, 60 + 1);
  for (const [id, n] of expected) assert.equal(fired.get(id) ?? 0, n, id);
});

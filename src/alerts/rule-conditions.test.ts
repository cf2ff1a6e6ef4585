// The rule conditions beyond the draw-collector plan's: a gap's minimum age, a backfill that gave
// up, a job that timed out or missed runs, a job that started late. Job conditions are fed the
// way `serve` feeds them: scheduler events on a real event bus, read by the alert observer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datasetFacts } from '../../test/helpers/alert-simulator.js';
import { compileConfig } from '../config/compile-config.js';
import { createEventBus } from '../internal/events.js';
import type { AlertFacts } from './alert-facts.js';
import { createAlertObserver } from './alert-observer.js';
import { evaluateRules } from './evaluate-rules.js';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;
const rules = compileConfig(
  {
    datasets: { draws: { partition: { sequence: { start: 1 } } } },
    alerts: {
      receivers: { ops: { channel: 'log' } },
      routes: [{ receivers: ['ops'] }],
      rules: {
        'gap-old': { severity: 'P2', gap: { minAge: '30m' } },
        'backfill-gave-up': { severity: 'P1', backfillExhausted: {} },
        'nightly-broken': { severity: 'P1', job: { jobs: ['etl:*'], on: ['timeout', 'missed'] } },
        'nightly-late': { severity: 'P2', jobLate: { jobs: ['etl:*'], after: '5m' } },
        'stations-short': { severity: 'P1', streamBatches: { pipelines: ['stations*'], below: 0.9 } },
      },
    },
  },
  { env: {}, baseDir: '/tmp' },
).alerts.rules;

const fired = (f: AlertFacts) =>
  evaluateRules(rules, f)
    .active.map((c) => `${c.rule.name}=${c.value}: ${c.summary}`)
    .sort();

describe('rule conditions', () => {
  it('gap.minAge: a gap fires only once it has been open that long, dated from when it opened', () => {
    const gap = (ageMs: number) => ({
      nowMs: T0,
      datasets: [datasetFacts({ gaps: [{ from: 10, to: 12, count: 3, ageMs }] })],
      jobs: [],
    });
    assert.deepEqual(fired(gap(29 * MINUTE)), []);
    assert.deepEqual(fired(gap(30 * MINUTE)), ['gap-old=3: draws: 3 partitions missing (10–12)']);
    const [c] = evaluateRules(rules, gap(45 * MINUTE)).active;
    assert.equal(c?.since, T0 - 45 * MINUTE);
  });

  it('backfillExhausted: fires while partitions were given up, names the sources asked; absent once none is left', () => {
    const facts = (failed: number): AlertFacts => ({
      nowMs: T0,
      datasets: [datasetFacts({ backfill: { pending: 0, running: 0, failed } })],
      jobs: [],
    });
    assert.deepEqual(fired(facts(0)), []);
    assert.deepEqual(fired(facts(4)), ['backfill-gave-up=4: draws: 4 partitions could not be backfilled']);
    const [c] = evaluateRules(rules, facts(4)).active;
    assert.match(c?.tried ?? '', /^backfill asked the sources until it gave up \(/);
  });

  it('job on timeout and missed, fed by scheduler events: fires, ignores other jobs and failures, clears on a run that succeeds', () => {
    const events = createEventBus();
    let now = T0;
    const observer = createAlertObserver(
      events,
      () => now,
      () => {},
    );
    const facts = (): AlertFacts => ({ nowMs: now, datasets: [], jobs: observer.jobs() });
    const finished = (job: string, state: 'ok' | 'failed' | 'timeout') =>
      events.emit('job:finished', { job, dueAt: now, trigger: 'schedule', state, ms: 10, lateMs: 0 });

    finished('etl:nightly', 'failed');
    finished('check-all', 'timeout');
    assert.deepEqual(fired(facts()), [], 'a failure is not in on:, and check-all is not an etl job');

    now += MINUTE;
    finished('etl:nightly', 'timeout');
    assert.deepEqual(fired(facts()), ['nightly-broken=null: job etl:nightly timed out']);
    assert.equal(evaluateRules(rules, facts()).active[0]?.since, now);

    finished('etl:nightly', 'ok');
    const cleared = evaluateRules(rules, facts());
    assert.deepEqual(cleared.active, []);
    assert.equal(cleared.cleared.size, 1, 'the run that succeeded clears the alert');

    events.emit('job:missed', { job: 'etl:weekly', missed: 3, caughtUp: 1 });
    assert.deepEqual(fired(facts()), [
      'nightly-broken=3: job etl:weekly 3 runs missed while gapwarden was down',
    ]);
    observer.stop();
  });

  it('jobLate: fires when a run starts later than after: behind its due time, clears when one starts on time', () => {
    const events = createEventBus();
    const now = T0;
    const observer = createAlertObserver(
      events,
      () => now,
      () => {},
    );
    const facts = (): AlertFacts => ({ nowMs: now, datasets: [], jobs: observer.jobs() });
    const started = (lateMs: number) =>
      events.emit('job:started', {
        job: 'etl:nightly',
        dueAt: now - lateMs,
        trigger: 'schedule',
        lateMs,
        attempt: 1,
      });

    started(4 * MINUTE);
    assert.deepEqual(fired(facts()), []);
    started(7 * MINUTE);
    assert.deepEqual(fired(facts()), ['nightly-late=420: job etl:nightly started 7m late']);
    started(200);
    const onTime = evaluateRules(rules, facts());
    assert.deepEqual(onTime.active, []);
    assert.equal(onTime.cleared.size, 1);
    observer.stop();
  });

  it('streamBatches, fed by stream:batch events: fires below the ratio, ignores other pipelines, clears on a full enough batch', () => {
    const events = createEventBus();
    let now = T0;
    const observer = createAlertObserver(
      events,
      () => now,
      () => {},
    );
    const facts = (): AlertFacts => ({ nowMs: now, datasets: [], jobs: [], streams: observer.streams() });
    const batch = (pipeline: string, batchId: string, ratio: number, missingKeys: number) =>
      events.emit('stream:batch', {
        pipeline,
        batchId,
        status: ratio < 1 ? 'timed-out' : 'complete',
        availabilityRatio: ratio,
        missingKeys,
      });

    batch('stations', 'w1', 0.95, 1);
    batch('gateway', 'w1', 0.5, 10);
    assert.deepEqual(fired(facts()), [], '95% is above 90%, and gateway is not a stations pipeline');

    now += MINUTE;
    batch('stations', 'w2', 0.8, 4);
    assert.deepEqual(fired(facts()), [
      'stations-short=80: pipeline stations: batch w2 timed out with 80.0% of its keys (below 90.0%), 4 keys missing',
    ]);
    const since = evaluateRules(rules, facts()).active[0]?.since;
    now += MINUTE;
    batch('stations', 'w3', 0.85, 3);
    assert.equal(
      evaluateRules(rules, facts()).active[0]?.since,
      since,
      'one alert from the first short batch on',
    );

    now += MINUTE;
    batch('stations', 'w4', 1, 0);
    const after = evaluateRules(rules, facts());
    assert.deepEqual(after.active, []);
    assert.equal(after.cleared.size, 1, "the pipeline's alert is cleared");
    observer.stop();
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRAW_PLAN } from '../../test/helpers/alert-plans.js';
import { datasetFacts } from '../../test/helpers/alert-simulator.js';
import { compileConfig } from '../config/compile-config.js';
import type { AlertFacts, DatasetFacts, JobFacts } from './alert-facts.js';
import { evaluateRules } from './evaluate-rules.js';
import { alertFingerprint } from './fingerprint.js';

const T0 = 1_700_000_000_000;
const config = compileConfig(
  {
    datasets: { draws: { partition: { sequence: { start: 3001 } } } },
    alerts: {
      ...DRAW_PLAN,
      rules: {
        ...DRAW_PLAN.rules,
        'primary-down': { severity: 'P1', sourceDown: { sources: ['primary'] } },
        'nightly-failed': { severity: 'P1', job: { jobs: ['etl:*'], on: ['failed', 'timeout'] } },
      },
    },
  },
  { env: {}, baseDir: '/tmp' },
);
const rules = config.alerts.rules;

const facts = (datasets: DatasetFacts[], jobs: JobFacts[] = [], nowMs = T0): AlertFacts => ({
  nowMs,
  datasets,
  jobs,
});
const fired = (f: AlertFacts) =>
  evaluateRules(rules, f)
    .active.map((c) => `${c.rule.name}=${c.value}`)
    .sort();

describe('evaluateRules (the draw-collector plan)', () => {
  it('a gap of more than 10 periods is P0 at once; one of 1 to 10 is the P1 rule', () => {
    const big = facts([datasetFacts({ gaps: [{ from: 3021, to: 3034, count: 14, ageMs: 0 }] })]);
    assert.deepEqual(fired(big), ['gap-large=14']);
    const [c] = evaluateRules(rules, big).active;
    assert.equal(c?.summary, 'draws: 14 partitions missing (3021–3034)');
    assert.equal(c?.rule.severity, 'P0');
    const small = facts([
      datasetFacts({
        gaps: [
          { from: 3040, to: 3040, count: 1, ageMs: 5000 },
          { from: 3050, to: 3052, count: 3, ageMs: 1000 },
        ],
        backfill: { pending: 3, running: 1, failed: 0 },
      }),
    ]);
    assert.deepEqual(fired(small), ['gap-small=3']);
    const [s] = evaluateRules(rules, small).active;
    assert.equal(s?.summary, 'draws: 3 partitions missing (3050–3052) and 1 more gap');
    assert.equal(s?.tried, 'backfill: 3 queued, 1 being fetched');
    assert.equal(s?.since, T0 - 5000, 'the condition began with the oldest gap');
  });

  it('silence past 5 and 10 minutes, 3 failed collects, a source down, a job failed', () => {
    const stale = facts([datasetFacts({ lastInsertAt: T0 - 11 * 60_000 })]);
    assert.deepEqual(fired(stale), ['collect-late=660', 'collector-silent=660']);
    assert.deepEqual(fired(facts([datasetFacts({ lastInsertAt: T0 - 5 * 60_000 })])), []);
    const failing = facts([
      datasetFacts({
        collect: { failuresInRow: 3, since: T0 - 3000, lastError: 'HTTP 503', observed: true },
        sources: [
          {
            name: 'primary',
            state: 'open',
            consecutiveFailures: 3,
            lastFailureAt: T0,
            lastError: 'HTTP 503',
          },
          { name: 'mirror', state: 'closed', consecutiveFailures: 0, lastFailureAt: null, lastError: null },
        ],
      }),
    ]);
    assert.deepEqual(fired(failing), ['collect-failing=3', 'primary-down=3']);
    const down = evaluateRules(rules, failing).active.find((c) => c.rule.name === 'primary-down');
    assert.deepEqual(down?.labels, {
      dataset: 'draws',
      source: 'primary',
      rule: 'primary-down',
      kind: 'sourceDown',
    });
    assert.match(down?.tried ?? '', /failed over to mirror/);
    const job = facts(
      [],
      [
        {
          job: 'etl:nightly',
          problem: { state: 'failed', at: T0, error: 'boom', missed: null },
          late: null,
          observed: true,
        },
        {
          job: 'check-all',
          problem: { state: 'failed', at: T0, error: 'x', missed: null },
          late: null,
          observed: true,
        },
      ],
    );
    assert.deepEqual(fired(job), ['nightly-failed=null']);
  });

  it('conditions learnt from events clear only where this process saw the thing succeed', () => {
    const seenOk = facts([
      datasetFacts({ collect: { failuresInRow: 0, since: null, lastError: null, observed: true } }),
    ]);
    const cleared = evaluateRules(rules, seenOk).cleared;
    assert.ok(
      cleared.has(
        alertFingerprint('collect-failing', {
          dataset: 'draws',
          rule: 'collect-failing',
          kind: 'collectFailures',
        }),
      ),
    );
    const unseen = facts([datasetFacts()]);
    assert.equal(evaluateRules(rules, unseen).cleared.size, 0);
  });

  it('the fingerprint is the rule and its labels, whatever their order', () => {
    assert.equal(alertFingerprint('r', { a: '1', b: '2' }), alertFingerprint('r', { b: '2', a: '1' }));
    assert.notEqual(alertFingerprint('r', { a: '1' }), alertFingerprint('s', { a: '1' }));
    assert.notEqual(alertFingerprint('r', { a: '1' }), alertFingerprint('r', { a: '2' }));
  });
});

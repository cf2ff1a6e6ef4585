import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DRAW_PLAN } from '../../test/helpers/alert-plans.js';
import { ConfigError } from '../internal/errors.js';
import { compileConfig } from './compile-config.js';

const datasets = { draws: { partition: { sequence: { start: 3001 } } } };

function issues(input: unknown) {
  try {
    compileConfig(input, { env: {}, baseDir: '/tmp' });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err.issues;
  }
  assert.fail('expected the config to be rejected');
}

describe('compileAlerts', () => {
  it('compiles the draw-collector plan as written, with every default applied', () => {
    const c = compileConfig(
      { datasets, alerts: DRAW_PLAN, server: { port: 7070 } },
      { env: {}, baseDir: '/tmp' },
    );
    const a = c.alerts;
    assert.deepEqual(
      a.rules.map((r) => [r.name, r.severity, r.condition.kind, r.forMs]),
      [
        ['gap-large', 'P0', 'gap', 0],
        ['collector-silent', 'P0', 'freshness', 0],
        ['collect-failing', 'P0', 'collectFailures', 0],
        ['gap-small', 'P1', 'gap', 300_000],
        ['collect-late', 'P1', 'freshness', 0],
        ['backfill-exhausted', 'P2', 'backfillExhausted', 0],
      ],
    );
    assert.deepEqual(a.rules[0]!.condition, {
      kind: 'gap',
      minPartitions: 11,
      maxPartitions: null,
      minAgeMs: 0,
    });
    assert.deepEqual(a.routes[0]!.groupWaitMs, { P0: 0, P1: 30_000, P2: 300_000 });
    assert.deepEqual(a.routes[1]!.escalate, [
      { afterMs: 3_600_000, receivers: ['chat'], raiseSeverity: true },
    ]);
    assert.deepEqual(a.routes[0]!.groupBy, ['rule', 'dataset']);
    assert.equal(a.dashboardUrl, 'http://127.0.0.1:7070');
    assert.equal(a.language, 'en');
    assert.equal(a.inhibit.length, 1, 'source-down holds back gap alerts by default');
    assert.equal(a.delivery.maxAttempts, 10);
  });

  it('without an alerts section nothing is configured', () => {
    const c = compileConfig({ datasets }, { env: {}, baseDir: '/tmp' });
    assert.deepEqual([c.alerts.rules, c.alerts.routes, c.alerts.receivers], [[], [], []]);
  });

  it('without routes every alert goes to every receiver', () => {
    const c = compileConfig(
      { datasets, alerts: { receivers: { a: { channel: 'log' }, b: { channel: 'log' } } } },
      { env: {}, baseDir: '/tmp' },
    );
    assert.deepEqual(c.alerts.routes[0]?.receivers, ['a', 'b']);
  });

  it('names the field of each mistake: unknown receiver, unknown dataset, two conditions, bad matcher, tiers out of order', () => {
    const found = issues({
      datasets,
      alerts: {
        receivers: { oncall: { channel: 'log' } },
        rules: {
          both: { severity: 'P0', gap: {}, freshness: { after: '1m' } },
          none: { severity: 'P1' },
          elsewhere: { severity: 'P2', datasets: ['nope'], backfillExhausted: {} },
          odd: { severity: 'P1', gap: { minPartitions: 5, maxPartitions: 2 } },
        },
        routes: [
          {
            match: ['severity=~P0|('],
            receivers: ['pager'],
            escalate: [
              { after: '10m', receivers: ['oncall'] },
              { after: '5m', receivers: ['boss'] },
            ],
          },
        ],
      },
    });
    const paths = found.map((i) => i.path);
    assert.ok(paths.includes('alerts.routes[0].match[0]'), paths.join(' '));
    assert.match(
      found.find((i) => i.path === 'alerts.routes[0].match[0]')!.message,
      /Invalid regular expression/i,
    );
    const later = issues({
      datasets,
      alerts: {
        receivers: { oncall: { channel: 'log' } },
        rules: {
          both: { severity: 'P0', gap: {}, freshness: { after: '1m' } },
          none: { severity: 'P1' },
          elsewhere: { severity: 'P2', datasets: ['nope'], backfillExhausted: {} },
          odd: { severity: 'P1', gap: { minPartitions: 5, maxPartitions: 2 } },
        },
        routes: [
          {
            receivers: ['pager'],
            escalate: [
              { after: '10m', receivers: ['oncall'] },
              { after: '5m', receivers: ['boss'] },
            ],
          },
        ],
      },
    }).map((i) => i.path);
    assert.deepEqual(later.sort(), [
      'alerts.routes[0].escalate[1].after',
      'alerts.routes[0].escalate[1].receivers[0]',
      'alerts.routes[0].receivers[0]',
      'alerts.rules.both',
      'alerts.rules.elsewhere.datasets[0]',
      'alerts.rules.none',
      'alerts.rules.odd.gap.maxPartitions',
    ]);
  });

  it('rules without any receiver are refused: nobody could be told', () => {
    const found = issues({ datasets, alerts: { rules: { g: { severity: 'P0', gap: {} } } } });
    assert.deepEqual(
      found.map((i) => i.path),
      ['alerts.receivers'],
    );
  });
});

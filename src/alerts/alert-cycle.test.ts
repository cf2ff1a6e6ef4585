// The alert model over time, with the injected clock: dedup, `for`, grouping, repeats, escalation,
// acknowledgement, inhibition, silences and resolution, through the pure core only.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { AlertSimulator, datasetFacts, describeSent as sent } from '../../test/helpers/alert-simulator.js';
import { compileConfig } from '../config/compile-config.js';
import { type LabelMatcher, parseLabelMatcher } from '../domain/label-matchers.js';
import { createManualClock, type ManualClock } from '../internal/clock.js';
import { acknowledgeAlert } from './acknowledge-alert.js';
import type { DatasetFacts } from './alert-facts.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

const config = compileConfig(
  {
    datasets: { draws: { partition: { sequence: { start: 3001 } } } },
    alerts: {
      receivers: { oncall: { channel: 'log' }, lead: { channel: 'log' }, chat: { channel: 'log' } },
      rules: {
        'gap-large': { severity: 'P0', gap: { minPartitions: 11 } },
        'gap-small': { severity: 'P1', gap: { minPartitions: 1, maxPartitions: 10 }, for: '5m' },
        'collect-failing': { severity: 'P0', collectFailures: { atLeast: 3 } },
        'source-down': { severity: 'P1', sourceDown: {} },
      },
      routes: [
        { match: ['severity=P0'], receivers: ['oncall'], escalate: [{ after: '15m', receivers: ['lead'] }] },
        { match: ['severity=~P1|P2'], receivers: ['chat'], escalate: [{ after: '1h', raiseSeverity: true }] },
      ],
      dashboardUrl: 'https://gw.example.com/',
    },
  },
  { env: {}, baseDir: '/tmp' },
).alerts;

const bigGap = (from = 3021, count = 14): Partial<DatasetFacts> => ({
  gaps: [{ from, to: from + count - 1, count, ageMs: 0 }],
});
const down = (...names: string[]): Partial<DatasetFacts> => ({
  sources: ['primary', 'mirror'].map((name) => ({
    name,
    state: names.includes(name) ? ('open' as const) : ('closed' as const),
    consecutiveFailures: names.includes(name) ? 3 : 0,
    lastFailureAt: names.includes(name) ? T0 : null,
    lastError: names.includes(name) ? 'HTTP 503' : null,
  })),
});
const ds = (...parts: Partial<DatasetFacts>[]) => [
  datasetFacts(Object.assign({ lastInsertAt: null }, ...parts)),
];
const matchers = (...texts: string[]) => texts.map((t) => parseLabelMatcher(t) as LabelMatcher);

let clock: ManualClock;
let sim: AlertSimulator;
beforeEach(() => {
  clock = createManualClock(T0);
  sim = new AlertSimulator(config, () => clock.now());
});

describe('alert cycle', () => {
  it('a P0 notifies at once; the same condition updates one alert; a new occurrence counts', () => {
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), ['firing oncall: gap-large']);
    const first = sim.alert('gap-large');
    assert.deepEqual([first.state, first.occurrences, first.firedAt], ['firing', 1, T0]);
    const n = sim.outbox[0]!;
    assert.equal(n.payload.alerts[0]?.url, `https://gw.example.com/#/alerts/${first.id}`);
    assert.equal(n.payload.alerts[0]?.summary, 'draws: 14 partitions missing (3021–3034)');
    clock.advance(10_000);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), []);
    clock.advance(10_000);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap(3100, 12)))), []);
    assert.equal(sim.alerts.length, 1, 'one alert per fingerprint');
    assert.deepEqual([sim.alert('gap-large').occurrences, sim.alert('gap-large').value], [2, 12]);
  });

  it('`for`: pending until the condition has held 5 minutes, then the P1 group wait, then one message', () => {
    sim.evaluate(ds({ gaps: [{ from: 3040, to: 3042, count: 3, ageMs: 0 }] }));
    assert.equal(sim.alert('gap-small').state, 'pending');
    clock.advance(4 * MIN);
    assert.deepEqual(
      sent(sim.evaluate(ds({ gaps: [{ from: 3040, to: 3042, count: 3, ageMs: 4 * MIN }] }))),
      [],
    );
    clock.advance(MIN);
    assert.deepEqual(
      sent(sim.evaluate(ds({ gaps: [{ from: 3040, to: 3042, count: 3, ageMs: 5 * MIN }] }))),
      [],
    );
    assert.equal(sim.alert('gap-small').state, 'firing');
    assert.equal(sim.nextDueAt, T0 + 5 * MIN + 30_000, 'the P1 group wait');
    clock.advance(30_000);
    assert.deepEqual(sent(sim.notify()), ['firing chat: gap-small']);
  });

  it('a pending alert whose condition clears first never notifies', () => {
    sim.evaluate(ds({ gaps: [{ from: 3040, to: 3040, count: 1, ageMs: 0 }] }));
    clock.advance(20_000);
    assert.deepEqual(sent(sim.evaluate(ds())), []);
    assert.deepEqual([sim.alert('gap-small').state, sim.alert('gap-small').firedAt], ['resolved', null]);
    clock.advance(10 * MIN);
    assert.deepEqual(sent(sim.notify()), []);
  });

  it('grouping: alerts of one group within its wait go out in one message', () => {
    sim.evaluate(ds(down('primary')));
    clock.advance(10_000);
    assert.deepEqual(sent(sim.evaluate(ds(down('primary', 'mirror')))), []);
    clock.advance(19_999);
    assert.deepEqual(sent(sim.evaluate(ds(down('primary', 'mirror')))), []);
    clock.advance(1);
    assert.deepEqual(sent(sim.evaluate(ds(down('primary', 'mirror')))), [
      'firing chat: source-down/primary,source-down/mirror',
    ]);
  });

  it('escalation: unacknowledged after 15 minutes the lead is told; repeats every 30 minutes after that', () => {
    sim.evaluate(ds(bigGap()));
    clock.advance(15 * MIN - 1);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), []);
    assert.equal(sim.nextDueAt, T0 + 15 * MIN);
    clock.advance(1);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), ['escalated lead: gap-large']);
    assert.equal(sim.alert('gap-large').tier, 1);
    clock.advance(30 * MIN - 1);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), []);
    clock.advance(1);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), [
      'repeat oncall: gap-large',
      'repeat lead: gap-large',
    ]);
    clock.advance(MIN);
    assert.deepEqual(sent(sim.evaluate(ds())), ['resolved oncall: gap-large', 'resolved lead: gap-large']);
    const resolved = sim.outbox.at(-1)!.payload.alerts[0]!;
    assert.deepEqual([resolved.state, resolved.endsAt], ['resolved', T0 + 46 * MIN]);
  });

  it('escalation up a severity: a P1 unacknowledged for an hour becomes P0 and reaches the P0 route', () => {
    sim.evaluate(ds(down('primary')));
    clock.advance(30_000);
    assert.deepEqual(sent(sim.evaluate(ds(down('primary')))), ['firing chat: source-down/primary']);
    clock.advance(60 * MIN - 30_000);
    const out = sim.evaluate(ds(down('primary')));
    assert.deepEqual(sent(out).sort(), [
      'escalated chat: source-down/primary',
      'escalated oncall: source-down/primary',
    ]);
    assert.equal(out[0]?.payload.alerts[0]?.severity, 'P0');
    assert.deepEqual(
      [sim.alert('source-down').severity, sim.alert('source-down').baseSeverity],
      ['P0', 'P1'],
    );
  });

  it('acknowledgement stops escalation and repeats; the resolution is still announced', () => {
    sim.evaluate(ds(bigGap()));
    clock.advance(5 * MIN);
    assert.ok(
      sim.apply(acknowledgeAlert(sim.alert('gap-large'), { actor: 'ana', comment: 'on it' }, clock.now())),
    );
    for (let i = 0; i < 12; i++) {
      clock.advance(10 * MIN);
      assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), [], `nothing at +${15 + i * 10} min`);
    }
    assert.deepEqual(sent(sim.evaluate(ds())), ['resolved oncall: gap-large']);
    assert.ok(
      sim.history.some((h) => h.change === 'acknowledged' && h.actor === 'ana' && h.detail === 'on it'),
    );
    assert.throws(
      () => acknowledgeAlert(sim.alert('gap-large'), { actor: 'ana', comment: null }, clock.now()),
      /only a firing alert/,
    );
  });

  it('inhibition: a source-down alert holds back the gap alerts of its dataset while it fires', () => {
    // The default inhibition needs the gap and source-down alerts' `kind` labels.
    clock.advance(0);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap(), down('primary', 'mirror')))), []);
    assert.equal(sim.alert('gap-large').state, 'firing');
    clock.advance(30_000);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap(), down('primary', 'mirror')))), [
      'firing chat: source-down/primary,source-down/mirror',
    ]);
    clock.advance(20 * MIN);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap(), down('primary', 'mirror')))), [], 'no escalation either');
    // The sources are back but the gap stays: now it is news.
    clock.advance(MIN);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))).sort(), [
      'firing oncall: gap-large',
      'resolved chat: source-down/mirror',
      'resolved chat: source-down/primary',
    ]);
  });

  it('silences: nothing is sent while one matches; what is owed goes out when it ends', () => {
    sim.silences.push({
      id: 1,
      matchers: matchers('dataset=draws', 'rule=~gap-.*'),
      startsAt: T0,
      endsAt: T0 + 30 * MIN,
      author: 'ana',
      comment: 'upstream maintenance',
      createdAt: T0,
      expiredAt: null,
    });
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), []);
    assert.equal(sim.nextDueAt, T0 + 30 * MIN, 'wakes when the silence ends');
    clock.advance(20 * MIN);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), [], 'no escalation while silenced');
    clock.advance(10 * MIN);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), ['firing oncall: gap-large']);
    // Escalation counts from the firing; the first message only now went out: the lead is next.
    clock.advance(MIN);
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), ['escalated lead: gap-large']);
  });

  it('a silence expired early lets the notice out at the next evaluation', () => {
    sim.silences.push({
      id: 1,
      matchers: matchers('severity=P0'),
      startsAt: T0,
      endsAt: T0 + 24 * 60 * MIN,
      author: 'ana',
      comment: '',
      createdAt: T0,
      expiredAt: null,
    });
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), []);
    clock.advance(MIN);
    sim.silences[0]!.expiredAt = clock.now();
    assert.deepEqual(sent(sim.evaluate(ds(bigGap()))), ['firing oncall: gap-large']);
  });

  it('conditions learnt from events resolve only when this process sees the collect succeed', () => {
    const failing = { collect: { failuresInRow: 3, since: T0, lastError: 'HTTP 503', observed: true } };
    assert.deepEqual(sent(sim.evaluate(ds(failing))), ['firing oncall: collect-failing']);
    clock.advance(MIN);
    const notSeen = { collect: { failuresInRow: 0, since: null, lastError: null, observed: false } };
    assert.deepEqual(sent(sim.evaluate(ds(notSeen))), []);
    assert.equal(sim.alert('collect-failing').state, 'firing');
    const seenOk = { collect: { failuresInRow: 0, since: null, lastError: null, observed: true } };
    assert.deepEqual(sent(sim.evaluate(ds(seenOk))), ['resolved oncall: collect-failing']);
  });

  it('two processes planning the same change: the second is refused and the outbox keeps one message', () => {
    sim.evaluate(ds(bigGap()));
    clock.advance(30 * MIN);
    const a = sim.alert('gap-large');
    const w1 = acknowledgeAlert(a, { actor: 'a', comment: null }, clock.now());
    const w2 = acknowledgeAlert(a, { actor: 'b', comment: null }, clock.now());
    assert.equal(sim.apply(w1), true);
    assert.equal(sim.apply(w2), false);
  });
});

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  compileReceiver,
  sampleAlert,
  sampleNotification,
  T0,
} from '../../../test/helpers/alert-notifications.js';
import { type RecordingReceiver, startRecordingReceiver } from '../../../test/helpers/recording-receiver.js';
import { createManualClock } from '../../internal/clock.js';
import { silentLogger } from '../../internal/logger.js';
import type { PostableAlert } from './alertmanager-notifier.js';
import { createNotifier } from './create-notifier.js';

const NOW = T0 + 12 * 60_000;
const never = new AbortController().signal;
const iso = (ms: number) => new Date(ms).toISOString();

// The request shapes, at a recording receiver; test/alertmanager.test.ts runs them against a real Alertmanager.
describe('alertmanager notifier', () => {
  let am: RecordingReceiver;
  const clock = createManualClock(NOW);
  const deps = { clock, logger: silentLogger };
  const notifier = (over: Record<string, unknown> = {}) =>
    createNotifier(compileReceiver({ channel: 'alertmanager', url: `${am.url}/`, ...over }), deps);
  const posted = () => am.requests.at(-1)?.json() as PostableAlert[];

  before(async () => {
    am = await startRecordingReceiver();
  });
  after(() => am.close());
  beforeEach(() => {
    am.requests.length = 0;
    am.reply = () => ({ status: 200, body: '' });
  });

  it('posts labels, annotations, startsAt and an endsAt ahead to /api/v2/alerts', async () => {
    const alert = sampleAlert({ labels: { dataset: 'draws', 'team-name': 'data', '1st': 'x', empty: '' } });
    const outcome = await notifier({ headers: { 'X-Scope-OrgID': 'tenant-1' } }).send(
      sampleNotification({ alerts: [alert] }),
      never,
    );
    assert.deepEqual(outcome, { ok: true, status: 200 });
    const req = am.requests[0];
    assert.equal(req?.path, '/api/v2/alerts');
    assert.equal(req?.headers['x-scope-orgid'], 'tenant-1');
    const [sent, ...rest] = posted();
    assert.equal(rest.length, 0);
    assert.deepEqual(sent?.labels, {
      alertname: 'gap-large',
      severity: 'P0',
      dataset: 'draws',
      team_name: 'data',
      _1st: 'x',
    });
    assert.equal(sent?.startsAt, iso(T0));
    assert.equal(sent?.endsAt, iso(NOW + 86_400_000), 'active for endsAfter (24h) unless heard of again');
    assert.equal(sent?.generatorURL, 'http://127.0.0.1:7070/alerts/12');
    assert.equal(sent?.annotations.summary, 'draws: 14 partitions missing (3021–3034)');
    assert.equal(
      sent?.annotations.tried,
      'backfill: 3 attempts per partition; source history answered HTTP 503',
    );
    assert.equal(sent?.annotations.dashboard, 'http://127.0.0.1:7070/alerts');
    assert.equal(sent?.annotations.gapwarden_alert_id, '12');
    assert.match(sent?.annotations.description ?? '', /Since: 2024-05-01 02:00:00 UTC \(for 12m\)/);
  });

  it('resolves an alert by sending its real end', async () => {
    const resolved = sampleAlert({ state: 'resolved', endsAt: T0 + 600_000 });
    await notifier({ endsAfter: '1h' }).send(
      sampleNotification({ kind: 'resolved', alerts: [resolved] }),
      never,
    );
    assert.equal(posted()[0]?.endsAt, iso(T0 + 600_000));
  });

  it('resolves only the alerts of a group that are resolved', async () => {
    const done = sampleAlert({ state: 'resolved', endsAt: T0 + 600_000 });
    const open = sampleAlert({ id: 13, labels: { dataset: 'draws', source: 'b' } });
    await notifier().send(sampleNotification({ kind: 'resolved', alerts: [done, open] }), never);
    assert.deepEqual(
      posted().map((a) => a.endsAt),
      [iso(T0 + 600_000), iso(NOW + 86_400_000)],
    );
  });

  it('resolves the copies under the severities escalation raised an alert from', async () => {
    const raised = sampleAlert({ severity: 'P0', ruleSeverity: 'P2' });
    await notifier().send(sampleNotification({ kind: 'escalated', tier: 1, alerts: [raised] }), never);
    assert.deepEqual(
      posted().map((a) => [a.labels.severity, a.endsAt]),
      [
        ['P0', iso(NOW + 86_400_000)],
        ['P1', iso(NOW)],
        ['P2', iso(NOW)],
      ],
    );
  });

  it('keeps a test alert active for 5 minutes only', async () => {
    await notifier().send(sampleNotification({ kind: 'test' }), never);
    assert.equal(posted()[0]?.endsAt, iso(NOW + 300_000));
  });

  it('does not retry alerts Alertmanager refuses (400), retries when it is unavailable', async () => {
    am.reply = () => ({ status: 400, body: '{"code":400,"message":"start time must be before end time"}' });
    const bad = await notifier().send(sampleNotification(), never);
    assert.equal(!bad.ok && bad.retryable, false);
    assert.match(
      !bad.ok ? bad.error : '',
      /answered HTTP 400: \{"code":400,"message":"start time must be before/,
    );
    am.reply = () => ({ status: 503, body: '' });
    const down = await notifier().send(sampleNotification(), never);
    assert.equal(!down.ok && down.retryable, true);
  });
});

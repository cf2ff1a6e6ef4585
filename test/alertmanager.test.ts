import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createNotifier } from '../src/alerts/notifiers/create-notifier.js';
import { systemClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { compileReceiver, sampleAlert, sampleNotification } from './helpers/alert-notifications.js';
import { hasAlertmanager, type RunningAlertmanager, startAlertmanager } from './helpers/alertmanager.js';
import { type RecordingReceiver, startRecordingReceiver } from './helpers/recording-receiver.js';
import { waitFor } from './helpers/temp-dir.js';

/** An alert as Alertmanager's `GET /api/v2/alerts` lists it. */
interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  status: { state: string };
}

/** What Alertmanager's webhook integration posts (version 4). */
interface AmWebhook {
  status: 'firing' | 'resolved';
  alerts: Array<{ status: string; labels: Record<string, string>; endsAt: string }>;
}

const never = new AbortController().signal;

// A real Alertmanager (Debian's prometheus-alertmanager): gapwarden's notifier posts an alert, the
// test reads it back from Alertmanager's own API, then posts the resolution and sees it resolved,
// both in that API and in the resolved notice Alertmanager itself sends on to a webhook.
describe('a real Alertmanager', {
  skip: hasAlertmanager()
    ? false
    : 'prometheus-alertmanager not installed: apt-get install prometheus-alertmanager',
}, () => {
  let am: RunningAlertmanager;
  let onward: RecordingReceiver;

  before(async () => {
    onward = await startRecordingReceiver();
    am = await startAlertmanager(
      [
        'route:',
        '  receiver: onward',
        "  group_by: ['alertname', 'dataset']",
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: onward',
        '    webhook_configs:',
        `      - url: ${onward.url}/from-alertmanager`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await am?.stop();
    await onward?.close();
  });

  const notifier = () =>
    createNotifier(compileReceiver({ channel: 'alertmanager', url: am.url }), {
      clock: systemClock,
      logger: silentLogger,
    });

  const active = async (): Promise<GettableAlert[]> => {
    const res = await fetch(`${am.url}/api/v2/alerts`);
    assert.equal(res.status, 200);
    return (await res.json()) as GettableAlert[];
  };
  const named = (list: GettableAlert[], alertname: string) =>
    list.filter((a) => a.labels.alertname === alertname);
  const onwardNotices = () => onward.requests.map((r) => r.json() as AmWebhook);

  it('receives an alert, then its resolution', async () => {
    const startsAt = Date.now() - 60_000;
    const gap = sampleAlert({ startsAt });
    const control = sampleAlert({
      id: 13,
      rule: 'source-down',
      labels: { dataset: 'draws', source: 'primary' },
      startsAt,
    });
    const sent = await notifier().send(
      sampleNotification({ alerts: [gap, control], createdAt: Date.now() }),
      never,
    );
    assert.equal(sent.ok, true, JSON.stringify(sent));

    const [listed] = named(await active(), 'gap-large');
    assert.ok(listed, 'Alertmanager lists the alert');
    assert.deepEqual(listed.labels, { alertname: 'gap-large', severity: 'P0', dataset: 'draws' });
    assert.equal(listed.status.state, 'active');
    assert.equal(listed.startsAt, new Date(startsAt).toISOString());
    assert.equal(listed.annotations.summary, 'draws: 14 partitions missing (3021–3034)');
    assert.equal(listed.generatorURL, 'http://127.0.0.1:7070/alerts/12');
    assert.ok(
      Date.parse(listed.endsAt) > Date.now() + 23 * 3_600_000,
      'kept active until gapwarden says otherwise',
    );
    await waitFor(
      () =>
        onwardNotices().some(
          (n) => n.status === 'firing' && n.alerts.some((a) => a.labels.alertname === 'gap-large'),
        ),
      'Alertmanager to route the firing alert on',
    );

    const endsAt = Date.now();
    const resolved = sampleAlert({ startsAt, state: 'resolved', endsAt });
    const done = await notifier().send(
      sampleNotification({ kind: 'resolved', alerts: [resolved], createdAt: endsAt }),
      never,
    );
    assert.equal(done.ok, true, JSON.stringify(done));
    await waitFor(
      () =>
        onwardNotices().some(
          (n) =>
            n.status === 'resolved' &&
            n.alerts.some((a) => a.labels.alertname === 'gap-large' && Date.parse(a.endsAt) === endsAt),
        ),
      'Alertmanager to send the resolved notice on',
    );
    const now = await active();
    assert.deepEqual(named(now, 'gap-large'), [], 'no longer active');
    assert.equal(named(now, 'source-down').length, 1, 'the other alert still is');
  });

  it('moves an escalated alert to its new severity, resolving the earlier one', async () => {
    const startsAt = Date.now() - 60_000;
    const first = sampleAlert({ rule: 'freshness', severity: 'P1', startsAt, labels: { dataset: 'etl' } });
    assert.equal((await notifier().send(sampleNotification({ alerts: [first] }), never)).ok, true);
    assert.deepEqual(
      named(await active(), 'freshness').map((a) => a.labels.severity),
      ['P1'],
    );
    const raised = { ...first, severity: 'P0' as const, ruleSeverity: 'P1' as const };
    const escalated = await notifier().send(
      sampleNotification({ kind: 'escalated', tier: 1, alerts: [raised] }),
      never,
    );
    assert.equal(escalated.ok, true, JSON.stringify(escalated));
    assert.deepEqual(
      named(await active(), 'freshness').map((a) => a.labels.severity),
      ['P0'],
    );
  });

  it('takes a resolution whose end the clock put before its start (it refuses end < start)', async () => {
    const startsAt = Date.now();
    const skewed = sampleAlert({ rule: 'skewed', startsAt, state: 'resolved', endsAt: startsAt - 3_600_000 });
    const outcome = await notifier().send(sampleNotification({ kind: 'resolved', alerts: [skewed] }), never);
    assert.deepEqual(outcome, { ok: true, status: 200 });
  });
});

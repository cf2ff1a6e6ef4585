// The alerts module's surfaces: HTTP routes (listed in OpenAPI, writes guarded by the token),
// metrics, and the CLI verbs run as a real process against the same store.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { alertsModule } from '../src/alerts/alerts-module.js';
import type { Alerts } from '../src/alerts/alerts-runtime.js';
import { loadConfig } from '../src/config/load-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { createMetrics } from '../src/server/metrics.js';
import { type AlertReceiver, startAlertReceiver } from './helpers/alert-receiver.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const TOKEN = 'alerts-test-token-0123456789';

describe('alerts surfaces', () => {
  let tmp: ReturnType<typeof tempDir>;
  let receiver: AlertReceiver;
  let engine: Engine;
  let alerts: Alerts;
  let app: Hono;
  let file: string;
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

  before(async () => {
    tmp = tempDir();
    receiver = await startAlertReceiver();
    file = join(tmp.dir, 'gapwarden.config.yaml');
    writeFileSync(
      file,
      `store: { sqlite: gapwarden.db }
log: { level: warn }
server: { token: ${TOKEN}, port: 7099 }
datasets:
  draws: { partition: { sequence: { start: 3001 } } }
  other: { partition: { sequence: { start: 1 } } }
alerts:
  receivers:
    hook: { channel: webhook, url: '${receiver.url}' }
  rules:
    gap-large: { severity: P0, gap: { minPartitions: 2 } }
`,
    );
    const config = await loadConfig({ config: file });
    engine = createEngine({ config, logger: silentLogger });
    await engine.open();
    alerts = engine.module(alertsModule);
    app = createApp({
      engine,
      server: config.server,
      version: '0.0.0-test',
      metrics: createMetrics({ engine }),
    });
    await engine.ingest(
      'draws',
      [3001, 3005].map((n) => ({ key: String(n), partition: n, payload: { n } })),
    );
    await engine.ingest(
      'other',
      [1, 5].map((n) => ({ key: String(n), partition: n, payload: { n } })),
    );
    await alerts.evaluate();
    await alerts.worker.drainOnce();
  });
  after(async () => {
    await engine.stop();
    await receiver.close();
    tmp.cleanup();
  });

  it('HTTP: list, detail with history and delivery log, history, summary', async () => {
    const list = (await (await app.request('/api/alerts?match=dataset=draws')).json()) as {
      alerts: { id: number; rule: string; url: string }[];
    };
    assert.deepEqual(
      list.alerts.map((a) => a.rule),
      ['gap-large'],
    );
    assert.equal(
      ((await (await app.request('/api/alerts')).json()) as { alerts: unknown[] }).alerts.length,
      2,
    );
    const id = list.alerts[0]!.id;
    assert.equal(list.alerts[0]!.url, `http://127.0.0.1:7099/#/alerts/${id}`);
    const detail = (await (await app.request(`/api/alerts/${id}`)).json()) as {
      history: { change: string }[];
      deliveries: { receiver: string; state: string; log: { ok: boolean }[] }[];
    };
    assert.deepEqual(
      detail.history.map((h) => h.change),
      ['notified', 'fired'],
    );
    assert.deepEqual(
      detail.deliveries.map((d) => [d.receiver, d.state, d.log.length]),
      [['hook', 'delivered', 1]],
    );
    const history = (await (await app.request(`/api/alerts/history?alert=${id}&limit=1`)).json()) as {
      history: unknown[];
    };
    assert.equal(history.history.length, 1);
    const summary = await (await app.request('/api/alerts/summary')).json();
    assert.deepEqual(summary, {
      firing: { P0: 2, P1: 0, P2: 0 },
      acknowledged: 0,
      outbox: { pending: 0, sending: 0, delivered: 2, failed: 0 },
    });
    assert.equal((await app.request('/api/alerts/999')).status, 404);
    assert.equal((await app.request('/api/alerts?match=dataset')).status, 400);
    assert.equal((await app.request('/api/alerts?severity=P9')).status, 400);
    const openapi = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const p of [
      '/api/alerts',
      '/api/alerts/{id}',
      '/api/alerts/{id}/ack',
      '/api/alerts/silences',
      '/api/alerts/history',
    ])
      assert.ok(openapi.paths[p], `${p} in OpenAPI`);
  });

  it('HTTP: silences and acknowledgement need the token', async () => {
    const body = JSON.stringify({
      matchers: ['dataset=draws'],
      duration: '1h',
      author: 'ana',
      comment: 'deploy',
    });
    assert.equal(
      (
        await app.request('/api/alerts/silences', {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        })
      ).status,
      401,
    );
    const created = await app.request('/api/alerts/silences', { method: 'POST', body, headers: auth });
    assert.equal(created.status, 201);
    const { silence } = (await created.json()) as { silence: { id: number; status: string } };
    assert.equal(silence.status, 'active');
    const [silenced] = (
      (await (await app.request('/api/alerts?match=dataset=draws')).json()) as {
        alerts: { suppressed: { silenceId: number } }[];
      }
    ).alerts;
    assert.equal(silenced?.suppressed.silenceId, silence.id);
    const bad = await app.request('/api/alerts/silences', {
      method: 'POST',
      body: JSON.stringify({ matchers: ['dataset=draws'], author: 'ana' }),
      headers: auth,
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: { message: string } }).error.message, /needs an end/);
    const expired = await app.request(`/api/alerts/silences/${silence.id}`, {
      method: 'DELETE',
      headers: auth,
    });
    assert.equal(((await expired.json()) as { silence: { status: string } }).silence.status, 'ended');

    const [a] = (
      (await (await app.request('/api/alerts?match=dataset=draws')).json()) as { alerts: { id: number }[] }
    ).alerts;
    assert.equal(
      (
        await app.request(`/api/alerts/${a!.id}/ack`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
      401,
    );
    const acked = await app.request(`/api/alerts/${a!.id}/ack`, {
      method: 'POST',
      body: JSON.stringify({ by: 'ana', comment: 'on it' }),
      headers: auth,
    });
    assert.equal(acked.status, 200);
    assert.deepEqual(((await acked.json()) as { alert: { acknowledged: unknown } }).alert.acknowledged, {
      at: (
        (await (await app.request(`/api/alerts/${a!.id}`)).json()) as {
          alert: { acknowledged: { at: string } };
        }
      ).alert.acknowledged.at,
      by: 'ana',
      comment: 'on it',
    });
    const again = await app.request(`/api/alerts/${a!.id}/ack`, {
      method: 'POST',
      body: '{}',
      headers: auth,
    });
    assert.equal(again.status, 400);
  });

  it('metrics: alerts by severity, notifications by receiver and outcome, latency, outbox', async () => {
    const text = await (await app.request('/metrics')).text();
    assert.match(text, /^gapwarden_alert_notifications_total\{receiver="hook",outcome="delivered"\} 2$/m);
    assert.match(text, /^gapwarden_alert_notifications_total\{receiver="hook",outcome="failed"\} 0$/m);
    assert.match(text, /^gapwarden_alert_delivery_latency_seconds_count\{receiver="hook"\} 2$/m);
    assert.match(text, /^gapwarden_alert_outbox_notifications\{state="pending"\} 0$/m);
    assert.match(text, /^gapwarden_alerts_firing\{severity="P0"\} 1$/m);
    assert.match(text, /^gapwarden_alerts_acknowledged\{severity="P0"\} 1$/m);
  });

  it('CLI: alerts, history, ack, silence add/list/expire, test — with --json', async () => {
    const run = async (...args: string[]) => {
      const res = await runCli(['alerts', ...args, '--config', file, '--json']);
      assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}${res.stdout}`);
      return JSON.parse(res.stdout);
    };
    const all = await run('list', '--state', 'all', '--match', 'dataset=other');
    assert.deepEqual(
      all.alerts.map((a: { rule: string; state: string }) => [a.rule, a.state]),
      [['gap-large', 'firing']],
    );
    const id = String(all.alerts[0].id);
    const acked = await run('ack', id, '--by', 'bo', '--comment', 'restarting the collector');
    assert.deepEqual(acked.alert.acknowledged.by, 'bo');
    const twice = await runCli(['alerts', 'ack', id, '--config', file]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /only a firing alert can be acknowledged/);
    const history = await run('history', '--alert', id);
    assert.deepEqual(
      history.history.map((h: { change: string }) => h.change),
      ['acknowledged', 'notified', 'fired'],
    );
    const silence = await run(
      'silence',
      'add',
      '--match',
      'dataset=draws',
      '--for',
      '30m',
      '--by',
      'bo',
      '--comment',
      'x',
    );
    assert.equal(silence.silence.author, 'bo');
    const listed = await run('silence', 'list');
    assert.ok(listed.silences.some((s: { id: number }) => s.id === silence.silence.id));
    const expired = await run('silence', 'expire', String(silence.silence.id));
    assert.equal(expired.silence.status, 'ended');
    const test = await run('test', 'hook');
    assert.deepEqual([test.delivery.kind, test.delivery.state], ['test', 'delivered']);
    const deliveries = await run('deliveries');
    assert.ok(deliveries.deliveries.length >= 2);
    const bad = await runCli(['alerts', 'list', '--match', 'nonsense', '--config', file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--match: .*not a matcher/);
    const text = await runCli(['alerts', '--state', 'all', '--config', file]);
    assert.match(text.stdout, /gap-large/);
  });
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { sampleAlert, sampleNotification, T0 } from '../../../test/helpers/alert-notifications.js';
import { compileConfig } from '../../config/compile-config.js';
import { createManualClock } from '../../internal/clock.js';
import { silentLogger } from '../../internal/logger.js';
import { createLogger } from '../../logging/json-logger.js';
import { createNotifier } from './create-notifier.js';

const never = new AbortController().signal;

describe('createNotifier', () => {
  it('makes the notifier of each receiver’s channel, named after the receiver', async () => {
    const config = compileConfig(
      {
        datasets: {},
        alerts: {
          receivers: {
            hook: { channel: 'webhook', url: 'http://127.0.0.1:1/h' },
            chat: { channel: 'slack', url: 'http://127.0.0.1:1/s' },
            ding: { channel: 'dingtalk', url: 'http://127.0.0.1:1/d?access_token=t' },
            wx: { channel: 'wecom', url: 'http://127.0.0.1:1/w?key=k' },
            lark: { channel: 'feishu', url: 'http://127.0.0.1:1/f' },
            mail: { channel: 'email', smtp: { host: '127.0.0.1', port: 1 }, from: 'a@b.c', to: 'd@e.f' },
            am: { channel: 'alertmanager', url: 'http://127.0.0.1:1' },
            logs: { channel: 'log' },
          },
        },
      },
      { baseDir: '/tmp', env: {} },
    );
    const notifiers = config.alerts.receivers.map((r) =>
      createNotifier(r, { clock: createManualClock(T0), logger: silentLogger }),
    );
    assert.deepEqual(
      notifiers.map((n) => [n.receiver, n.channel]),
      [
        ['hook', 'webhook'],
        ['chat', 'slack'],
        ['ding', 'dingtalk'],
        ['wx', 'wecom'],
        ['lark', 'feishu'],
        ['mail', 'email'],
        ['am', 'alertmanager'],
        ['logs', 'log'],
      ],
    );
    await Promise.all(notifiers.map((n) => n.close?.()));
  });

  it('logs a notification as one structured line, at a level by severity and kind', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const log = createNotifier(
      { name: 'logs', channel: 'log', language: 'zh-CN', timezone: 'UTC', timeoutMs: 1000 },
      { clock: createManualClock(T0), logger: createLogger('debug', sink) },
    );
    assert.deepEqual(await log.send(sampleNotification(), never), { ok: true, detail: 'logged at error' });
    await log.send(sampleNotification({ alerts: [sampleAlert({ severity: 'P1' })] }), never);
    await log.send(
      sampleNotification({ kind: 'resolved', alerts: [sampleAlert({ state: 'resolved', endsAt: T0 + 1 })] }),
      never,
    );
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.kind, l.severity]),
      [
        [50, 'alert notification', 'firing', 'P0'],
        [40, 'alert notification', 'firing', 'P1'],
        [30, 'alert notification', 'resolved', 'P0'],
      ],
    );
    const [first] = lines;
    assert.equal(first?.receiver, 'logs');
    assert.equal(first?.title, '[P0] 告警：draws: 14 partitions missing (3021–3034)');
    assert.equal(first?.idempotencyKey, 'n-42:ops');
    assert.deepEqual((first?.alerts as Record<string, unknown>[] | undefined)?.[0], {
      id: 12,
      rule: 'gap-large',
      severity: 'P0',
      state: 'firing',
      summary: 'draws: 14 partitions missing (3021–3034)',
      labels: { dataset: 'draws' },
      value: 14,
      tried: 'backfill: 3 attempts per partition; source history answered HTTP 503',
      startsAt: '2024-05-01T02:00:00.000Z',
      endsAt: null,
      url: 'http://127.0.0.1:7070/alerts/12',
    });
  });
});

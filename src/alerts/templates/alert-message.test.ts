import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertNotification, NotificationKind, NotifiedAlert } from '../notifier.js';
import { composeMessage, formatTime } from './alert-message.js';
import { toPlainText } from './message-formats.js';
import { testNotification } from './test-notification.js';

const T0 = Date.UTC(2024, 4, 1, 2, 0, 0); // 2024-05-01 02:00:00 UTC, 10:00 in Shanghai

const alert = (over: Partial<NotifiedAlert> = {}): NotifiedAlert => ({
  id: 12,
  fingerprint: 'f1',
  rule: 'gap-large',
  severity: 'P0',
  state: 'firing',
  labels: { dataset: 'draws' },
  summary: 'draws: 14 partitions missing (3021–3034)',
  tried: 'backfill: 3 attempts at each partition, source history failed (HTTP 503)',
  value: 14,
  startsAt: T0,
  endsAt: null,
  occurrences: 1,
  url: 'http://127.0.0.1:7070/alerts/12',
  ...over,
});

const notification = (over: Partial<AlertNotification> = {}): AlertNotification => ({
  idempotencyKey: 'k1',
  kind: 'firing',
  receiver: 'ops',
  group: { key: 'g', labels: { dataset: 'draws' } },
  alerts: [alert()],
  tier: 0,
  language: 'en',
  dashboardUrl: 'http://127.0.0.1:7070/alerts',
  createdAt: T0 + 12 * 60_000,
  ...over,
});

describe('composeMessage', () => {
  it('says in English what broke, since when, how big, what was tried, and links to the dashboard', () => {
    const m = composeMessage(notification(), { language: 'en', timezone: 'UTC' });
    assert.equal(m.title, '[P0] FIRING: draws: 14 partitions missing (3021–3034)');
    assert.equal(m.tone, 'critical');
    assert.equal(
      toPlainText(m),
      [
        '[P0] FIRING: draws: 14 partitions missing (3021–3034)',
        'gapwarden raised 1 alert (dataset=draws).',
        '',
        '[P0] draws: 14 partitions missing (3021–3034)',
        '  Rule: gap-large',
        '  Since: 2024-05-01 02:00:00 UTC (for 12m)',
        '  How big: 14',
        '  Already tried: backfill: 3 attempts at each partition, source history failed (HTTP 503)',
        '  Labels: dataset=draws',
        '  View alert #12: http://127.0.0.1:7070/alerts/12',
        '',
        'Open the alerts page: http://127.0.0.1:7070/alerts',
        '— gapwarden · receiver ops',
      ].join('\n'),
    );
  });

  it('says the same in Simplified Chinese, with times in the receiver’s zone', () => {
    const m = composeMessage(notification({ language: 'zh-CN' }), {
      language: 'zh-CN',
      timezone: 'Asia/Shanghai',
    });
    assert.equal(m.title, '[P0] 告警：draws: 14 partitions missing (3021–3034)');
    assert.equal(m.intro, 'gapwarden 发出 1 条告警（dataset=draws）。');
    const facts = Object.fromEntries(m.alerts[0]!.facts.map((f) => [f.label, f.value]));
    assert.deepEqual(facts, {
      规则: 'gap-large',
      开始时间: '2024-05-01 10:00:00 Asia/Shanghai（已持续 12分钟）',
      规模: '14',
      已尝试: 'backfill: 3 attempts at each partition, source history failed (HTTP 503)',
      标签: 'dataset=draws',
    });
    assert.deepEqual(m.link, { label: '打开告警页面', url: 'http://127.0.0.1:7070/alerts' });
    assert.equal(m.alerts[0]!.link?.label, '查看告警 #12');
  });

  it('titles and introduces each kind of notification in both languages', () => {
    const kinds: NotificationKind[] = ['firing', 'repeat', 'escalated', 'resolved', 'test'];
    const titles = (language: 'en' | 'zh-CN') =>
      kinds.map((kind) => {
        const resolved = kind === 'resolved';
        const n = notification({
          kind,
          tier: kind === 'escalated' ? 1 : 0,
          alerts: [alert(resolved ? { state: 'resolved', endsAt: T0 + 3_900_000 } : {})],
        });
        const m = composeMessage(n, { language, timezone: 'UTC' });
        return [m.title, m.intro, m.tone];
      });
    assert.deepEqual(titles('en'), [
      [
        '[P0] FIRING: draws: 14 partitions missing (3021–3034)',
        'gapwarden raised 1 alert (dataset=draws).',
        'critical',
      ],
      [
        '[P0] STILL FIRING: draws: 14 partitions missing (3021–3034)',
        'A reminder: 1 alert (dataset=draws) still firing, not resolved yet.',
        'critical',
      ],
      [
        '[P0] ESCALATED: draws: 14 partitions missing (3021–3034)',
        'Not acknowledged in time: 1 alert (dataset=draws) escalated to tier 1.',
        'critical',
      ],
      [
        '[P0] RESOLVED: draws: 14 partitions missing (3021–3034)',
        'Resolved: the condition behind 1 alert (dataset=draws) cleared.',
        'resolved',
      ],
      [
        '[TEST] draws: 14 partitions missing (3021–3034)',
        'A test message from gapwarden to receiver "ops": if you read this, it works. Nothing is broken.',
        'info',
      ],
    ]);
    assert.deepEqual(
      titles('zh-CN').map(([title, intro]) => [title, intro]),
      [
        ['[P0] 告警：draws: 14 partitions missing (3021–3034)', 'gapwarden 发出 1 条告警（dataset=draws）。'],
        [
          '[P0] 仍在告警：draws: 14 partitions missing (3021–3034)',
          '提醒：1 条告警（dataset=draws）仍未恢复。',
        ],
        [
          '[P0] 告警升级：draws: 14 partitions missing (3021–3034)',
          '未及时确认：1 条告警（dataset=draws）已升级到第 1 级。',
        ],
        [
          '[P0] 已恢复：draws: 14 partitions missing (3021–3034)',
          '已恢复：1 条告警（dataset=draws）的触发条件已消除。',
        ],
        [
          '[测试] draws: 14 partitions missing (3021–3034)',
          '这是 gapwarden 发给接收方“ops”的测试消息：收到即说明配置可用，没有任何故障。',
        ],
      ],
    );
  });

  it('says when a resolved alert cleared and how long it lasted', () => {
    const n = notification({
      kind: 'resolved',
      alerts: [alert({ state: 'resolved', endsAt: T0 + 3_900_000 })],
    });
    const en = composeMessage(n, { language: 'en', timezone: 'UTC' }).alerts[0]!.facts;
    assert.deepEqual(en.slice(1, 3), [
      { label: 'Since', value: '2024-05-01 02:00:00 UTC' },
      { label: 'Resolved', value: '2024-05-01 03:05:00 UTC (after 1h 5m)' },
    ]);
    const zh = composeMessage(n, { language: 'zh-CN', timezone: 'Asia/Shanghai' }).alerts[0]!.facts;
    assert.deepEqual(zh[2], {
      label: '恢复时间',
      value: '2024-05-01 11:05:00 Asia/Shanghai（共持续 1小时5分钟）',
    });
  });

  it('titles a group by its count and worst severity, and counts the alerts it leaves out', () => {
    const n = notification({
      alerts: [
        alert({ id: 1, severity: 'P2', summary: 'a' }),
        alert({ id: 2, severity: 'P1', summary: 'b' }),
        alert({ id: 3, severity: 'P2', summary: 'c' }),
      ],
    });
    const m = composeMessage(n, { language: 'en', timezone: 'UTC', maxAlerts: 2 });
    assert.equal(m.title, '[P1] FIRING: 3 alerts (dataset=draws)');
    assert.equal(m.tone, 'critical');
    assert.deepEqual(
      m.alerts.map((a) => a.heading),
      ['[P2] a', '[P1] b'],
    );
    assert.equal(m.more, '…and 1 more alert on the alerts page.');
    const zh = composeMessage(n, { language: 'zh-CN', timezone: 'UTC', maxAlerts: 2 });
    assert.equal(zh.title, '[P1] 告警：3 条告警（dataset=draws）');
    assert.equal(zh.more, '……另有 1 条告警，请在告警页面查看。');
    const p2 = composeMessage(notification({ alerts: [alert({ severity: 'P2' })] }), {
      language: 'en',
      timezone: 'UTC',
    });
    assert.equal(p2.tone, 'warning');
  });

  it('says when nothing was tried yet, how often it was seen, and that it was acknowledged', () => {
    const n = notification({
      kind: 'repeat',
      alerts: [alert({ tried: '', value: null, occurrences: 7, state: 'acknowledged', url: null })],
      dashboardUrl: null,
    });
    const m = composeMessage(n, { language: 'en', timezone: 'UTC' });
    const facts = Object.fromEntries(m.alerts[0]!.facts.map((f) => [f.label, f.value]));
    assert.equal(facts['Already tried'], 'nothing yet');
    assert.equal(facts.Seen, '7 times');
    assert.equal(facts.State, 'acknowledged (escalation stopped)');
    assert.equal(facts['How big'], undefined, 'no size when the rule measures none');
    assert.equal(m.link, undefined);
    assert.equal(m.alerts[0]!.link, undefined);
    const zh = composeMessage(n, { language: 'zh-CN', timezone: 'UTC' }).alerts[0]!.facts;
    assert.deepEqual(
      zh.filter((f) => ['已尝试', '出现次数', '状态'].includes(f.label)).map((f) => f.value),
      ['尚未尝试', '7 次', '已确认（停止升级）'],
    );
  });

  it('says when escalation raised the severity', () => {
    const n = notification({
      kind: 'escalated',
      tier: 1,
      alerts: [alert({ severity: 'P0', ruleSeverity: 'P1' })],
    });
    const en = composeMessage(n, { language: 'en', timezone: 'UTC' }).alerts[0]!.facts[1];
    assert.deepEqual(en, { label: 'Severity', value: 'P0 (raised from P1: not acknowledged in time)' });
    const zh = composeMessage(n, { language: 'zh-CN', timezone: 'UTC' }).alerts[0]!.facts[1];
    assert.deepEqual(zh, { label: '级别', value: 'P0（未及时确认，由 P1 升级）' });
  });

  it('builds the test notification `alerts test` sends', () => {
    const n = testNotification({ receiver: 'ops', now: T0, language: 'zh-CN', dashboardUrl: null });
    const m = composeMessage(n, { language: 'zh-CN', timezone: 'UTC' });
    assert.equal(m.title, '[测试] 测试告警：没有任何故障');
    assert.equal(n.kind, 'test');
    assert.equal(n.idempotencyKey, `test:ops:${T0}`);
  });

  it('writes times in any IANA zone, across a DST change', () => {
    assert.equal(
      formatTime(Date.UTC(2024, 2, 31, 0, 30), 'Europe/Berlin'),
      '2024-03-31 01:30:00 Europe/Berlin',
    );
    assert.equal(
      formatTime(Date.UTC(2024, 2, 31, 1, 30), 'Europe/Berlin'),
      '2024-03-31 03:30:00 Europe/Berlin',
    );
  });
});

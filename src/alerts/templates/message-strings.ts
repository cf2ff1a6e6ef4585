import type { AlertLanguage } from '../../config/alert-receivers-schema.js';

/** Every phrase a message uses, in one language. */
export interface MessageStrings {
  /** What separates a title's kind from its subject, and a fact's label from its value. */
  colon: string;
  /** The word in the title for each kind of notification. */
  kind: { firing: string; repeat: string; escalated: string; resolved: string; test: string };
  /** The sentence under the title. */
  intro: {
    firing: (count: number, group: string) => string;
    repeat: (count: number, group: string) => string;
    escalated: (count: number, group: string, tier: number) => string;
    resolved: (count: number, group: string) => string;
    test: (receiver: string) => string;
  };
  /** The subject of a title about several alerts at once, with the labels they were grouped by. */
  alertsTitle: (count: number, group: string) => string;
  fact: {
    rule: string;
    severity: string;
    since: string;
    resolvedAt: string;
    size: string;
    tried: string;
    seen: string;
    labels: string;
    state: string;
  };
  /** Written right after a time: how long the condition has lasted so far, in parentheses. */
  ongoingFor: (duration: string) => string;
  /** Written right after a resolution time: how long the condition lasted, in parentheses. */
  lastedFor: (duration: string) => string;
  /** Written after the severity escalation raised an alert to. */
  raisedFrom: (severity: string) => string;
  nothingTriedYet: string;
  times: (count: number) => string;
  acknowledged: string;
  viewAlert: (id: number) => string;
  openDashboard: string;
  more: (count: number) => string;
  footer: (receiver: string) => string;
  /** `3m 20s` / `3分钟20秒`. */
  duration: (ms: number) => string;
}

const en: MessageStrings = {
  colon: ': ',
  kind: {
    firing: 'FIRING',
    repeat: 'STILL FIRING',
    escalated: 'ESCALATED',
    resolved: 'RESOLVED',
    test: 'TEST',
  },
  intro: {
    firing: (n, group) => `gapwarden raised ${plural(n, 'alert')}${group ? ` (${group})` : ''}.`,
    repeat: (n, group) =>
      `A reminder: ${plural(n, 'alert')}${group ? ` (${group})` : ''} still firing, not resolved yet.`,
    escalated: (n, group, tier) =>
      `Not acknowledged in time: ${plural(n, 'alert')}${group ? ` (${group})` : ''} escalated to tier ${tier}.`,
    resolved: (n, group) =>
      `Resolved: the condition behind ${plural(n, 'alert')}${group ? ` (${group})` : ''} cleared.`,
    test: (receiver) =>
      `A test message from gapwarden to receiver "${receiver}": if you read this, it works. Nothing is broken.`,
  },
  alertsTitle: (n, group) => `${plural(n, 'alert')}${group ? ` (${group})` : ''}`,
  fact: {
    rule: 'Rule',
    severity: 'Severity',
    since: 'Since',
    resolvedAt: 'Resolved',
    size: 'How big',
    tried: 'Already tried',
    seen: 'Seen',
    labels: 'Labels',
    state: 'State',
  },
  ongoingFor: (d) => ` (for ${d})`,
  lastedFor: (d) => ` (after ${d})`,
  raisedFrom: (s) => ` (raised from ${s}: not acknowledged in time)`,
  nothingTriedYet: 'nothing yet',
  times: (n) => (n === 1 ? 'once' : `${n} times`),
  acknowledged: 'acknowledged (escalation stopped)',
  viewAlert: (id) => `View alert #${id}`,
  openDashboard: 'Open the alerts page',
  more: (n) => `…and ${plural(n, 'more alert')} on the alerts page.`,
  footer: (receiver) => `gapwarden · receiver ${receiver}`,
  duration: formatDurationEn,
};

const zhCN: MessageStrings = {
  colon: '：',
  kind: { firing: '告警', repeat: '仍在告警', escalated: '告警升级', resolved: '已恢复', test: '测试' },
  intro: {
    firing: (n, group) => `gapwarden 发出 ${n} 条告警${group ? `（${group}）` : ''}。`,
    repeat: (n, group) => `提醒：${n} 条告警${group ? `（${group}）` : ''}仍未恢复。`,
    escalated: (n, group, tier) =>
      `未及时确认：${n} 条告警${group ? `（${group}）` : ''}已升级到第 ${tier} 级。`,
    resolved: (n, group) => `已恢复：${n} 条告警${group ? `（${group}）` : ''}的触发条件已消除。`,
    test: (receiver) =>
      `这是 gapwarden 发给接收方“${receiver}”的测试消息：收到即说明配置可用，没有任何故障。`,
  },
  alertsTitle: (n, group) => `${n} 条告警${group ? `（${group}）` : ''}`,
  fact: {
    rule: '规则',
    severity: '级别',
    since: '开始时间',
    resolvedAt: '恢复时间',
    size: '规模',
    tried: '已尝试',
    seen: '出现次数',
    labels: '标签',
    state: '状态',
  },
  ongoingFor: (d) => `（已持续 ${d}）`,
  lastedFor: (d) => `（共持续 ${d}）`,
  raisedFrom: (s) => `（未及时确认，由 ${s} 升级）`,
  nothingTriedYet: '尚未尝试',
  times: (n) => `${n} 次`,
  acknowledged: '已确认（停止升级）',
  viewAlert: (id) => `查看告警 #${id}`,
  openDashboard: '打开告警页面',
  more: (n) => `……另有 ${n} 条告警，请在告警页面查看。`,
  footer: (receiver) => `gapwarden · 接收方 ${receiver}`,
  duration: formatDurationZh,
};

/** The phrases of each shipped language. */
export const MESSAGE_STRINGS: Readonly<Record<AlertLanguage, MessageStrings>> = { en, 'zh-CN': zhCN };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Largest two units, whole seconds: `0s`, `12s`, `3m 20s`, `2h 5m`, `3d 4h`. */
function formatDurationEn(ms: number): string {
  return twoUnits(ms, ['d', 'h', 'm', 's'], ' ');
}

/** Largest two units: `12秒`, `3分钟20秒`, `2小时5分钟`, `3天4小时`. */
function formatDurationZh(ms: number): string {
  return twoUnits(ms, ['天', '小时', '分钟', '秒'], '');
}

function twoUnits(ms: number, names: readonly [string, string, string, string], sep: string): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const parts = [
    Math.floor(total / 86_400),
    Math.floor(total / 3600) % 24,
    Math.floor(total / 60) % 60,
    total % 60,
  ];
  const first = parts.findIndex((p) => p > 0);
  if (first === -1) return `0${names[3]}`;
  const out = [`${parts[first]}${names[first]}`];
  const next = parts[first + 1];
  if (next !== undefined && next > 0) out.push(`${next}${names[first + 1]}`);
  return out.join(sep);
}

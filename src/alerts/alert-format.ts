import { table } from '../internal/text-table.js';
import type { AlertSummary, DeliverySummary, HistorySummary, SilenceSummary } from './alert-summary.js';

// The alerts module's tables for the terminal (`gapwarden alerts ...`).

const at = (iso: string | null) => (iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z'));
const labels = (l: Readonly<Record<string, string>>) =>
  Object.entries(l)
    .filter(([k]) => k !== 'rule' && k !== 'kind')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

export function formatAlerts(alerts: readonly AlertSummary[], what: string): string {
  if (alerts.length === 0) return `no ${what} alerts`;
  return table(
    ['ID', 'SEV', 'STATE', 'RULE', 'LABELS', 'SINCE (UTC)', 'SEEN', 'SUMMARY'],
    alerts.map((a) => [
      String(a.id),
      a.severity === a.ruleSeverity ? a.severity : `${a.severity}↑`,
      a.suppressed
        ? `${a.state} (${a.suppressed.by === 'silence' ? `silenced #${a.suppressed.silenceId}` : `inhibited by #${a.suppressed.alertId}`})`
        : a.state,
      a.rule,
      labels(a.labels),
      at(a.firedAt ?? a.startsAt),
      `${a.occurrences}x`,
      a.summary,
    ]),
  );
}

export function formatHistory(history: readonly HistorySummary[]): string {
  if (history.length === 0) return 'no alert history yet';
  return table(
    ['AT (UTC)', 'ALERT', 'RULE', 'CHANGE', 'STATE', 'SEV', 'TIER', 'BY', 'DETAIL'],
    history.map((h) => [
      at(h.at),
      String(h.alertId),
      h.rule,
      h.change,
      h.state,
      h.severity,
      String(h.tier),
      h.actor ?? '',
      h.detail ?? '',
    ]),
  );
}

export function formatDeliveries(deliveries: readonly DeliverySummary[]): string {
  if (deliveries.length === 0) return 'no notifications';
  return table(
    ['ID', 'RECEIVER', 'KIND', 'STATE', 'ATTEMPTS', 'CREATED (UTC)', 'DELIVERED (UTC)', 'LAST ERROR'],
    deliveries.map((d) => [
      String(d.id),
      d.receiver,
      d.kind,
      d.state === 'pending' && d.nextAttemptAt ? `pending until ${at(d.nextAttemptAt)}` : d.state,
      String(d.attempts),
      at(d.createdAt),
      at(d.deliveredAt),
      d.lastError ?? '',
    ]),
  );
}

export function formatSilences(silences: readonly SilenceSummary[]): string {
  if (silences.length === 0) return 'no silences';
  return table(
    ['ID', 'STATUS', 'MATCHERS', 'STARTS (UTC)', 'ENDS (UTC)', 'AUTHOR', 'COMMENT'],
    silences.map((s) => [
      String(s.id),
      s.status,
      s.matchers.join(' '),
      at(s.startsAt),
      at(s.expiredAt ?? s.endsAt),
      s.author,
      s.comment,
    ]),
  );
}

export function formatAlertDetail(d: {
  alert: AlertSummary;
  history: HistorySummary[];
  deliveries: DeliverySummary[];
}): string {
  const a = d.alert;
  return [
    `alert ${a.id}: ${a.summary}`,
    `  ${a.severity} ${a.state}, rule ${a.rule}, ${labels(a.labels)}`,
    `  started ${at(a.startsAt)}, fired ${at(a.firedAt)}, seen ${a.occurrences}x, last ${at(a.lastSeenAt)}${a.endsAt ? `, resolved ${at(a.endsAt)}` : ''}`,
    ...(a.tried ? [`  tried: ${a.tried}`] : []),
    ...(a.acknowledged
      ? [
          `  acknowledged by ${a.acknowledged.by} at ${at(a.acknowledged.at)}${a.acknowledged.comment ? `: ${a.acknowledged.comment}` : ''}`,
        ]
      : []),
    ...(a.url ? [`  ${a.url}`] : []),
    '',
    formatHistory(d.history),
    '',
    formatDeliveries(d.deliveries),
  ].join('\n');
}

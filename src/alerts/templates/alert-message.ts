import type { AlertLanguage } from '../../config/alert-receivers-schema.js';
import type { AlertNotification, NotificationKind, NotifiedAlert, Severity } from '../notifier.js';
import { MESSAGE_STRINGS } from './message-strings.js';

/** How a message should look at a glance: a channel maps it to its colour. */
export type MessageTone = 'critical' | 'warning' | 'info' | 'resolved';

/** One line of facts about an alert. */
export interface MessageFact {
  label: string;
  value: string;
}

/** One alert as a message shows it. */
export interface MessageAlert {
  id: number;
  /** What separates a fact's label from its value in this language (`: ` or `：`). */
  colon: string;
  severity: Severity;
  /** `[P0] draws: 14 partitions missing (3021–3034)`. */
  heading: string;
  facts: MessageFact[];
  link: { label: string; url: string } | undefined;
}

/**
 * A notification put into words, in one language, before any channel's
 * format: what broke, since when, how big, what gapwarden already tried, and
 * where to look. Channels render it (`message-formats.ts`).
 */
export interface AlertMessage {
  language: AlertLanguage;
  kind: NotificationKind;
  tone: MessageTone;
  /** One line: an e-mail's subject, a card's title. */
  title: string;
  /** One sentence under the title. */
  intro: string;
  alerts: MessageAlert[];
  /** Said when more alerts were in the notification than are shown. */
  more: string | undefined;
  /** The dashboard's alerts page. */
  link: { label: string; url: string } | undefined;
  footer: string;
  /** What separates a label from its value in this language (`: ` or `：`). */
  colon: string;
}

export interface ComposeOptions {
  language: AlertLanguage;
  /** The IANA zone times are written in. */
  timezone: string;
  /** Alerts shown at most; the rest are counted. @default 10 */
  maxAlerts?: number;
}

const SEVERITY_ORDER: readonly Severity[] = ['P0', 'P1', 'P2'];

/**
 * Puts a notification into words. Pure: durations are measured to the
 * notification's `createdAt`, so a retry says the same as the first attempt.
 *
 * @example
 * const m = composeMessage(notification, { language: 'zh-CN', timezone: 'Asia/Shanghai' });
 * m.title; // '[P0] 告警：draws: 14 partitions missing (3021–3034)'
 */
export function composeMessage(n: AlertNotification, options: ComposeOptions): AlertMessage {
  const s = MESSAGE_STRINGS[options.language];
  const max = options.maxAlerts ?? 10;
  const shown = n.alerts.slice(0, max);
  const worst = worstSeverity(n.alerts);
  const group = Object.entries(n.group.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const count = n.alerts.length;
  const prefix = n.kind === 'test' ? `[${s.kind.test}] ` : `[${worst}] ${s.kind[n.kind]}${s.colon}`;
  const subject = count === 1 ? (n.alerts[0]?.summary ?? '') : s.alertsTitle(count, group);
  const intro =
    n.kind === 'test'
      ? s.intro.test(n.receiver)
      : n.kind === 'escalated'
        ? s.intro.escalated(count, group, n.tier)
        : s.intro[n.kind](count, group);
  return {
    language: options.language,
    kind: n.kind,
    tone:
      n.kind === 'resolved'
        ? 'resolved'
        : n.kind === 'test'
          ? 'info'
          : worst === 'P2'
            ? 'warning'
            : 'critical',
    title: `${prefix}${subject}`,
    intro,
    alerts: shown.map((a) => composeAlert(a, n, options)),
    more: count > shown.length ? s.more(count - shown.length) : undefined,
    link: n.dashboardUrl ? { label: s.openDashboard, url: n.dashboardUrl } : undefined,
    footer: s.footer(n.receiver),
    colon: s.colon,
  };
}

function composeAlert(a: NotifiedAlert, n: AlertNotification, options: ComposeOptions): MessageAlert {
  const s = MESSAGE_STRINGS[options.language];
  const facts: MessageFact[] = [{ label: s.fact.rule, value: a.rule }];
  if (a.ruleSeverity !== undefined && a.ruleSeverity !== a.severity) {
    facts.push({ label: s.fact.severity, value: `${a.severity}${s.raisedFrom(a.ruleSeverity)}` });
  }
  if (a.state === 'resolved' && a.endsAt !== null) {
    facts.push({ label: s.fact.since, value: formatTime(a.startsAt, options.timezone) });
    facts.push({
      label: s.fact.resolvedAt,
      value: `${formatTime(a.endsAt, options.timezone)}${s.lastedFor(s.duration(a.endsAt - a.startsAt))}`,
    });
  } else {
    const ongoing = s.ongoingFor(s.duration(n.createdAt - a.startsAt));
    facts.push({ label: s.fact.since, value: `${formatTime(a.startsAt, options.timezone)}${ongoing}` });
  }
  if (a.value !== null) facts.push({ label: s.fact.size, value: formatNumber(a.value) });
  facts.push({ label: s.fact.tried, value: a.tried.trim() === '' ? s.nothingTriedYet : a.tried });
  if (a.occurrences > 1) facts.push({ label: s.fact.seen, value: s.times(a.occurrences) });
  if (a.state === 'acknowledged') facts.push({ label: s.fact.state, value: s.acknowledged });
  const labels = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`);
  if (labels.length > 0) facts.push({ label: s.fact.labels, value: labels.join(', ') });
  return {
    id: a.id,
    colon: s.colon,
    severity: a.severity,
    heading: `[${a.severity}] ${a.summary}`,
    facts,
    link: a.url ? { label: s.viewAlert(a.id), url: a.url } : undefined,
  };
}

/** The most urgent severity among `alerts` (P0 before P1 before P2). */
export function worstSeverity(alerts: readonly NotifiedAlert[]): Severity {
  let worst = 2;
  for (const a of alerts) worst = Math.min(worst, SEVERITY_ORDER.indexOf(a.severity));
  return SEVERITY_ORDER[worst] ?? 'P2';
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** `2024-05-01 10:00:00 Asia/Shanghai`: the wall-clock time in `zone`, named. */
export function formatTime(ms: number, zone: string): string {
  let format = timeFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    timeFormats.set(zone, format);
  }
  const p = Object.fromEntries(format.formatToParts(ms).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${zone}`;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 100) / 100);
}

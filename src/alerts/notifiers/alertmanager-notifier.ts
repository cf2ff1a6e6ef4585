import type { CompiledAlertmanagerReceiver } from '../../config/compiled-receiver.js';
import type { AlertNotification, NotifiedAlert, Notifier, Severity } from '../notifier.js';
import { type AlertMessage, composeMessage } from '../templates/alert-message.js';
import { alertPlainText } from '../templates/message-formats.js';
import { httpContext, jsonHeaders, postOnce } from './http-delivery.js';
import { languageOf, type NotifierDeps } from './notifier-deps.js';

/** One alert as Alertmanager's API v2 takes it (`postableAlert`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** A test alert stays active this long: long enough to see it arrive, short enough to go by itself. */
const TEST_ACTIVE_MS = 5 * 60_000;

const SEVERITIES: readonly Severity[] = ['P0', 'P1', 'P2'];

/**
 * The alerts of a notification as Alertmanager's `POST /api/v2/alerts` takes
 * them (https://prometheus.io/docs/alerting/latest/clients/). Labels identify
 * an alert there: `alertname` (the rule), `severity` and the alert's labels
 * (names made valid Prometheus label names). An open alert's `endsAt` is set
 * `endsAfterMs` ahead, since Alertmanager resolves an alert it stops hearing
 * about; a resolved one is sent with its real end, which resolves it. An alert
 * escalation raised above its rule's severity also resolves its copies under
 * the earlier severities (a different label set to Alertmanager).
 */
export function alertmanagerAlerts(
  n: AlertNotification,
  message: AlertMessage,
  nowMs: number,
  endsAfterMs: number,
): PostableAlert[] {
  const out: PostableAlert[] = [];
  n.alerts.forEach((a, i) => {
    // By the alert's own state: a group's resolved notice may list alerts still firing beside it.
    const resolved = a.state === 'resolved';
    const endsAt = resolved
      ? (a.endsAt ?? nowMs)
      : nowMs + (n.kind === 'test' ? TEST_ACTIVE_MS : endsAfterMs);
    const shown = message.alerts[i];
    const annotations: Record<string, string> = {
      summary: a.summary,
      description: shown ? alertPlainText(shown) : a.summary,
      gapwarden_alert_id: String(a.id),
    };
    if (a.tried.trim() !== '') annotations.tried = a.tried;
    const link = a.url ?? n.dashboardUrl;
    if (n.dashboardUrl) annotations.dashboard = n.dashboardUrl;
    const alert: PostableAlert = {
      labels: labelsOf(a, a.severity),
      annotations,
      startsAt: iso(a.startsAt),
      endsAt: iso(Math.max(endsAt, a.startsAt)),
      ...(link ? { generatorURL: link } : {}),
    };
    out.push(alert);
    for (const earlier of severitiesBetween(a.ruleSeverity, a.severity)) {
      out.push({ ...alert, labels: labelsOf(a, earlier), endsAt: iso(Math.max(nowMs, a.startsAt)) });
    }
  });
  return out;
}

/** The severities an alert passed through on its way from its rule's severity up to `now` (exclusive). */
function severitiesBetween(from: Severity | undefined, now: Severity): Severity[] {
  if (from === undefined) return [];
  const start = SEVERITIES.indexOf(from);
  const end = SEVERITIES.indexOf(now);
  return start > end ? SEVERITIES.slice(end + 1, start + 1) : [];
}

function labelsOf(a: NotifiedAlert, severity: Severity): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.labels)) if (v !== '') labels[labelName(k)] = v;
  labels.alertname = a.rule;
  labels.severity = severity;
  return labels;
}

/** A valid Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`, other characters as `_`. */
export function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) || cleaned === '' ? `_${cleaned}` : cleaned;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Prometheus Alertmanager: POSTs the alerts to `<url>/api/v2/alerts`.
 * Alertmanager answers 200, or 400 for alerts it cannot take (not retried).
 */
export function createAlertmanagerNotifier(
  receiver: CompiledAlertmanagerReceiver,
  deps: NotifierDeps,
): Notifier {
  const ctx = httpContext(receiver, deps);
  return {
    receiver: receiver.name,
    channel: 'alertmanager',
    send(n, signal) {
      const message = composeMessage(n, {
        language: languageOf(receiver, n.language),
        timezone: receiver.timezone,
        maxAlerts: n.alerts.length,
      });
      const alerts = alertmanagerAlerts(n, message, deps.clock.now(), receiver.endsAfterMs);
      const url = `${receiver.url}/api/v2/alerts`;
      return postOnce(
        { url, headers: jsonHeaders(receiver.headers), body: JSON.stringify(alerts) },
        ctx,
        signal,
      );
    },
  };
}

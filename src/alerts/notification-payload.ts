import { createHash } from 'node:crypto';
import type { AlertLanguage } from '../config/alerts-schema.js';
import type { NotificationDraft, StoredAlert } from './alert-model.js';
import type { NotificationKind, NotifiedAlert } from './notifier.js';

/** The dashboard's page of one alert. */
export function alertUrl(dashboardUrl: string | null, id: number): string | null {
  return dashboardUrl === null ? null : `${dashboardUrl}/#/alerts/${id}`;
}

/** An alert as a notification shows it. */
export function notifiedAlert(a: StoredAlert, dashboardUrl: string | null): NotifiedAlert {
  return {
    id: a.id,
    fingerprint: a.fingerprint,
    rule: a.rule,
    severity: a.severity,
    ...(a.severity !== a.baseSeverity ? { ruleSeverity: a.baseSeverity } : {}),
    // A pending alert is never sent; the type of a sent one is one of the three.
    state: a.state === 'pending' ? 'firing' : a.state,
    labels: a.labels,
    summary: a.summary,
    tried: a.tried,
    value: a.value,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    occurrences: a.occurrences,
    url: alertUrl(dashboardUrl, a.id),
  };
}

/**
 * One notification to one receiver about `alerts` (as they are after the
 * change). The idempotency key is derived from what caused it (kind,
 * receiver, each alert at the version the change was planned on), so two
 * processes planning the same change make the same key and the outbox keeps
 * one.
 */
export function notificationDraft(input: {
  kind: NotificationKind;
  receiver: string;
  group: { key: string; labels: Record<string, string> };
  alerts: readonly StoredAlert[];
  /** The version of each alert the change was planned on, in the order of `alerts`. */
  versions: readonly number[];
  tier: number;
  language: AlertLanguage;
  dashboardUrl: string | null;
  nowMs: number;
}): NotificationDraft {
  const cause = [input.kind, input.receiver, ...input.alerts.map((a, i) => `${a.id}@${input.versions[i]}`)];
  const idempotencyKey = `gw-${createHash('sha256').update(cause.join('|')).digest('hex').slice(0, 32)}`;
  const alertIds = input.alerts.map((a) => a.id);
  return {
    idempotencyKey,
    receiver: input.receiver,
    kind: input.kind,
    groupKey: input.group.key,
    alertIds,
    dueAt: input.nowMs,
    payload: {
      idempotencyKey,
      kind: input.kind,
      receiver: input.receiver,
      group: { key: input.group.key, labels: input.group.labels },
      alerts: input.alerts.map((a) => notifiedAlert(a, input.dashboardUrl)),
      tier: input.tier,
      language: input.language,
      dashboardUrl: input.dashboardUrl === null ? null : `${input.dashboardUrl}/#/alerts`,
      createdAt: input.nowMs,
    },
  };
}

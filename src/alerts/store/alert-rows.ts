import type { LabelMatcher } from '../../domain/label-matchers.js';
import type { AlertHistoryEntry, Silence, StoredAlert } from '../alert-model.js';
import type { AlertNotification } from '../notifier.js';
import type { DeliveryAttempt, OutboxNotification } from './alert-store.js';

/**
 * Column lists and row conversions both adapters share: each selects these
 * aliases, so a row differs only in how JSON and booleans arrive.
 */
export const ALERT_COLUMNS = `id, fingerprint, rule, kind, severity, base_severity AS "baseSeverity", state, labels,
  summary, tried, value, instance, occurrences, starts_at AS "startsAt", fired_at AS "firedAt",
  last_seen_at AS "lastSeenAt", ends_at AS "endsAt", tier, notify_at AS "notifyAt",
  last_notified_at AS "lastNotifiedAt", acked_at AS "ackedAt", acked_by AS "ackedBy",
  ack_comment AS "ackComment", version, updated_at AS "updatedAt"`;

export const HISTORY_COLUMNS = `h.id, h.alert_id AS "alertId", h.at, h.change, h.state, h.severity, h.tier, h.detail,
  h.actor, a.rule, a.labels`;

export const SILENCE_COLUMNS = `id, matchers, starts_at AS "startsAt", ends_at AS "endsAt", author, comment,
  created_at AS "createdAt", expired_at AS "expiredAt"`;

/** The outbox's columns, each prefixed with `table` (e.g. `n.`) when the query needs it. */
export const notificationColumns = (table = '') =>
  [
    'id',
    'idempotency_key AS "idempotencyKey"',
    'receiver',
    'kind',
    'group_key AS "groupKey"',
    'alert_ids AS "alertIds"',
    'payload',
    'state',
    'attempts',
    'next_attempt_at AS "nextAttemptAt"',
    'lease_holder AS "leaseHolder"',
    'lease_until AS "leaseUntil"',
    'created_at AS "createdAt"',
    'delivered_at AS "deliveredAt"',
    'last_error AS "lastError"',
    'last_status AS "lastStatus"',
  ]
    .map((c) => `${table}${c}`)
    .join(', ');

export const NOTIFICATION_COLUMNS = notificationColumns();

export const ATTEMPT_COLUMNS = `d.id, d.notification_id AS "notificationId", n.receiver, n.kind, d.attempt, d.at, d.ms,
  d.ok, d.retryable, d.status, d.error, d.holder`;

const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function toAlert(r: Record<string, unknown>): StoredAlert {
  return {
    ...(r as unknown as StoredAlert),
    labels: json<Record<string, string>>(r.labels),
    value: num(r.value),
  };
}

export function toHistory(r: Record<string, unknown>): AlertHistoryEntry {
  return { ...(r as unknown as AlertHistoryEntry), labels: json<Record<string, string>>(r.labels) };
}

export function toSilence(r: Record<string, unknown>): Silence {
  return { ...(r as unknown as Silence), matchers: json<LabelMatcher[]>(r.matchers) };
}

export function toNotification(r: Record<string, unknown>): OutboxNotification {
  return {
    ...(r as unknown as OutboxNotification),
    alertIds: json<number[]>(r.alertIds),
    payload: json<AlertNotification>(r.payload),
  };
}

export function toAttempt(r: Record<string, unknown>): DeliveryAttempt {
  return { ...(r as unknown as DeliveryAttempt), ok: Boolean(r.ok), retryable: Boolean(r.retryable) };
}

/** The columns an `AlertPatch` key is stored in. */
export const PATCH_COLUMNS: Readonly<Record<string, string>> = {
  severity: 'severity',
  state: 'state',
  summary: 'summary',
  tried: 'tried',
  value: 'value',
  instance: 'instance',
  occurrences: 'occurrences',
  firedAt: 'fired_at',
  lastSeenAt: 'last_seen_at',
  endsAt: 'ends_at',
  tier: 'tier',
  notifyAt: 'notify_at',
  lastNotifiedAt: 'last_notified_at',
  ackedAt: 'acked_at',
  ackedBy: 'acked_by',
  ackComment: 'ack_comment',
};

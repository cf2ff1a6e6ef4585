import { formatLabelMatcher } from '../domain/label-matchers.js';
import type { AlertHistoryEntry, Silence, StoredAlert } from './alert-model.js';
import type { Suppression } from './alert-suppression.js';
import { alertUrl } from './notification-payload.js';
import type { DeliveryAttempt, OutboxNotification } from './store/alert-store.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One alert as the API and the CLI show it. */
export function summarizeAlert(
  a: StoredAlert,
  suppressed: Suppression | undefined,
  dashboardUrl: string | null,
) {
  return {
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    ruleSeverity: a.baseSeverity,
    state: a.state,
    labels: a.labels,
    summary: a.summary,
    tried: a.tried,
    value: a.value,
    occurrences: a.occurrences,
    tier: a.tier,
    startsAt: iso(a.startsAt)!,
    firedAt: iso(a.firedAt),
    lastSeenAt: iso(a.lastSeenAt)!,
    endsAt: iso(a.endsAt),
    lastNotifiedAt: iso(a.lastNotifiedAt),
    acknowledged:
      a.ackedAt === null ? null : { at: iso(a.ackedAt)!, by: a.ackedBy ?? '', comment: a.ackComment },
    suppressed:
      suppressed === undefined
        ? null
        : suppressed.by === 'silence'
          ? {
              by: 'silence' as const,
              silenceId: suppressed.silenceId,
              alertId: null,
              until: iso(suppressed.until),
            }
          : { by: 'inhibition' as const, silenceId: null, alertId: suppressed.alertId, until: null },
    url: alertUrl(dashboardUrl, a.id),
  };
}
export type AlertSummary = ReturnType<typeof summarizeAlert>;

export function summarizeHistory(h: AlertHistoryEntry) {
  return {
    id: h.id,
    alertId: h.alertId,
    at: iso(h.at)!,
    change: h.change,
    state: h.state,
    severity: h.severity,
    tier: h.tier,
    rule: h.rule,
    labels: h.labels,
    detail: h.detail,
    actor: h.actor,
  };
}
export type HistorySummary = ReturnType<typeof summarizeHistory>;

export function summarizeSilence(s: Silence, nowMs: number) {
  const end = Math.min(s.endsAt, s.expiredAt ?? Number.POSITIVE_INFINITY);
  return {
    id: s.id,
    matchers: s.matchers.map(formatLabelMatcher),
    startsAt: iso(s.startsAt)!,
    endsAt: iso(s.endsAt)!,
    expiredAt: iso(s.expiredAt),
    author: s.author,
    comment: s.comment,
    createdAt: iso(s.createdAt)!,
    status:
      nowMs < s.startsAt ? ('pending' as const) : nowMs < end ? ('active' as const) : ('ended' as const),
  };
}
export type SilenceSummary = ReturnType<typeof summarizeSilence>;

export function summarizeDelivery(n: OutboxNotification, attempts: readonly DeliveryAttempt[]) {
  return {
    id: n.id,
    receiver: n.receiver,
    kind: n.kind,
    state: n.state,
    attempts: n.attempts,
    idempotencyKey: n.idempotencyKey,
    createdAt: iso(n.createdAt)!,
    nextAttemptAt: n.state === 'pending' ? iso(n.nextAttemptAt) : null,
    deliveredAt: iso(n.deliveredAt),
    lastError: n.lastError,
    lastStatus: n.lastStatus,
    alertIds: n.alertIds,
    log: attempts
      .filter((d) => d.notificationId === n.id)
      .map((d) => ({
        attempt: d.attempt,
        at: iso(d.at)!,
        ms: d.ms,
        ok: d.ok,
        retryable: d.retryable,
        status: d.status,
        error: d.error,
        holder: d.holder,
      })),
  };
}
export type DeliverySummary = ReturnType<typeof summarizeDelivery>;

import type { CompiledAlerts } from '../config/compiled-alerts.js';
import type {
  AlertHistoryDraft,
  AlertPatch,
  AlertWrite,
  NewAlert,
  Silence,
  StoredAlert,
} from './alert-model.js';
import { groupOf, receiversUpTo, routeFor } from './alert-routing.js';
import { suppressionOf } from './alert-suppression.js';
import { type AlertCondition, EVENT_KINDS, type RuleEvaluation } from './evaluate-rules.js';
import { notificationDraft } from './notification-payload.js';

export interface ReconcileInput {
  config: CompiledAlerts;
  /** The alerts not yet resolved (pending, firing, acknowledged). */
  open: readonly StoredAlert[];
  evaluation: RuleEvaluation;
  silences: readonly Silence[];
  nowMs: number;
}

/** A new alert and the history entries it starts with. */
export interface AlertCreate {
  alert: NewAlert;
  history: Omit<AlertHistoryDraft, 'alertId'>[];
}

export interface ReconcilePlan {
  creates: AlertCreate[];
  /** One per alert changed, each applied alone (a conflict on one leaves the others). */
  writes: AlertWrite[];
}

/**
 * Brings the alerts in line with an evaluation. Pure.
 * - A condition with no open alert opens one: `pending` while its rule's
 *   `for` has not passed since the condition began, `firing` otherwise (its
 *   first notice owed after the route's group wait).
 * - A condition with an open alert updates it (last seen, value, summary); a
 *   new occurrence (another gap, another failure) counts one more; a
 *   `pending` one whose `for` has passed fires.
 * - An open alert whose condition cleared (absent, for conditions seen whole;
 *   seen clear, for those learnt from events) resolves, or, when its rule is
 *   gone from the config, resolves too. A resolved notice goes to everyone
 *   told of it, unless it is silenced now; a `pending` one ends silently.
 */
export function reconcileAlerts(input: ReconcileInput): ReconcilePlan {
  const { config, open, evaluation, silences, nowMs } = input;
  const plan: ReconcilePlan = { creates: [], writes: [] };
  const byFingerprint = new Map(open.map((a) => [a.fingerprint, a]));
  const rules = new Set(config.rules.map((r) => r.name));
  const seen = new Set<string>();

  for (const c of evaluation.active) {
    if (seen.has(c.fingerprint)) continue;
    seen.add(c.fingerprint);
    const existing = byFingerprint.get(c.fingerprint);
    if (existing) {
      const write = updateOpen(existing, c, config, nowMs);
      if (write) plan.writes.push(write);
    } else plan.creates.push(createFor(c, config, nowMs));
  }

  for (const a of open) {
    if (seen.has(a.fingerprint)) continue;
    const ruleGone = !rules.has(a.rule);
    const clear = ruleGone || !EVENT_KINDS.has(a.kind) || evaluation.cleared.has(a.fingerprint);
    if (clear) plan.writes.push(resolve(a, config, silences, open, nowMs, ruleGone));
  }
  return plan;
}

function firesAt(c: AlertCondition, startsAt: number): number {
  return startsAt + c.rule.forMs;
}

function groupWait(config: CompiledAlerts, a: Pick<StoredAlert, 'labels' | 'severity'>): number {
  const route = routeFor(config, a);
  return route ? route.groupWaitMs[a.severity] : 0;
}

function createFor(c: AlertCondition, config: CompiledAlerts, nowMs: number): AlertCreate {
  const startsAt = Math.min(c.since, nowMs);
  const firing = nowMs >= firesAt(c, startsAt);
  const severity = c.rule.severity;
  const alert: NewAlert = {
    fingerprint: c.fingerprint,
    rule: c.rule.name,
    kind: c.rule.condition.kind,
    severity,
    baseSeverity: severity,
    state: firing ? 'firing' : 'pending',
    labels: c.labels,
    summary: c.summary,
    tried: c.tried,
    value: c.value,
    instance: c.instance,
    occurrences: 1,
    startsAt,
    firedAt: firing ? nowMs : null,
    lastSeenAt: nowMs,
    endsAt: null,
    tier: 0,
    notifyAt: firing ? nowMs + groupWait(config, { labels: c.labels, severity }) : null,
    lastNotifiedAt: null,
    ackedAt: null,
    ackedBy: null,
    ackComment: null,
    updatedAt: nowMs,
  };
  const entry = (change: 'pending' | 'fired') => ({
    at: nowMs,
    change,
    state: alert.state,
    severity,
    tier: 0,
    detail: c.summary,
    actor: null,
  });
  return { alert, history: [entry(firing ? 'fired' : 'pending')] };
}

function updateOpen(
  a: StoredAlert,
  c: AlertCondition,
  config: CompiledAlerts,
  nowMs: number,
): AlertWrite | undefined {
  const set: AlertPatch = { lastSeenAt: nowMs };
  const history: AlertHistoryDraft[] = [];
  const entry = (change: AlertHistoryDraft['change'], state = a.state, detail: string | null = c.summary) =>
    history.push({
      alertId: a.id,
      at: nowMs,
      change,
      state,
      severity: a.severity,
      tier: a.tier,
      detail,
      actor: null,
    });
  if (c.value !== a.value) set.value = c.value;
  if (c.summary !== a.summary) set.summary = c.summary;
  if (c.tried !== a.tried) set.tried = c.tried;
  if (c.instance !== a.instance) {
    set.instance = c.instance;
    // A pending alert's first sighting is not an occurrence of its own: only a new one while open counts.
    set.occurrences = a.occurrences + 1;
    entry('seen-again');
  }
  if (a.state === 'pending' && nowMs >= firesAt(c, a.startsAt)) {
    set.state = 'firing';
    set.firedAt = nowMs;
    set.notifyAt = nowMs + groupWait(config, a);
    entry('fired', 'firing');
  }
  // Only last-seen moved: not worth a write per evaluation for every open alert.
  if (Object.keys(set).length === 1 && nowMs - a.lastSeenAt < config.evaluateEveryMs * 6) return undefined;
  return { updates: [{ id: a.id, version: a.version, set }], history, notifications: [] };
}

function resolve(
  a: StoredAlert,
  config: CompiledAlerts,
  silences: readonly Silence[],
  open: readonly StoredAlert[],
  nowMs: number,
  ruleGone: boolean,
): AlertWrite {
  const resolved: StoredAlert = { ...a, state: 'resolved', endsAt: nowMs, notifyAt: null, updatedAt: nowMs };
  const write: AlertWrite = {
    updates: [{ id: a.id, version: a.version, set: { state: 'resolved', endsAt: nowMs, notifyAt: null } }],
    history: [
      {
        alertId: a.id,
        at: nowMs,
        change: a.state === 'pending' ? 'cleared' : 'resolved',
        state: 'resolved',
        severity: a.severity,
        tier: a.tier,
        detail: ruleGone ? `the rule "${a.rule}" is no longer configured` : 'the condition cleared',
        actor: null,
      },
    ],
    notifications: [],
  };
  const route = routeFor(config, a);
  // Nobody was told it fired (still in its group wait, silenced or inhibited all along): nothing to take back.
  if (!route || a.lastNotifiedAt === null) return write;
  if (suppressionOf(a, { silences, inhibit: [], open, nowMs })) return write;
  const group = groupOf(route, a);
  for (const receiver of receiversUpTo(route, a.tier)) {
    write.notifications.push(
      notificationDraft({
        kind: 'resolved',
        receiver,
        group,
        alerts: [resolved],
        versions: [a.version],
        tier: a.tier,
        language: config.language,
        dashboardUrl: config.dashboardUrl,
        nowMs,
      }),
    );
  }
  return write;
}

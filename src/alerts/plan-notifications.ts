import type { CompiledAlertRoute, CompiledAlerts } from '../config/compiled-alerts.js';
import type { AlertWrite, NotificationDraft, Silence, StoredAlert } from './alert-model.js';
import { groupOf, raiseSeverity, receiversUpTo, routeFor, tierReceivers } from './alert-routing.js';
import { suppressionOf } from './alert-suppression.js';
import { notificationDraft } from './notification-payload.js';
import type { NotificationKind } from './notifier.js';

export interface NotifyInput {
  config: CompiledAlerts;
  /** The alerts not yet resolved. */
  open: readonly StoredAlert[];
  silences: readonly Silence[];
  nowMs: number;
}

export interface NotifyPlan {
  /** Each applied alone: one per group notified, one per alert escalated. */
  writes: AlertWrite[];
  /** The next time something here falls due (a group wait, a repeat, an escalation, a silence's end); null: nothing. */
  nextDueAt: number | null;
}

interface Routed {
  alert: StoredAlert;
  route: CompiledAlertRoute;
  group: { key: string; labels: Record<string, string> };
}

/**
 * What to send now. Pure.
 * - Firing notices: alerts owed one are sent per group once the group's
 *   earliest wait has passed, all the group's owed alerts in one message.
 * - Escalation: a firing alert still unacknowledged `after` its firing
 *   reaches the route's next tier: that tier's receivers are told, and its
 *   severity goes up one when the tier says so (the route may then change).
 * - Repeats: a firing, unacknowledged alert is sent again every
 *   `repeatInterval` of its severity, per group.
 * Silenced and inhibited alerts send nothing and do not escalate while they
 * are; acknowledged ones only get their resolved notice (see `reconcileAlerts`).
 */
export function planNotifications(input: NotifyInput): NotifyPlan {
  const { config, open, silences, nowMs } = input;
  const plan: NotifyPlan = { writes: [], nextDueAt: null };
  const due = (at: number) => {
    if (at > nowMs && (plan.nextDueAt === null || at < plan.nextDueAt)) plan.nextDueAt = at;
    return at <= nowMs;
  };
  const routed: Routed[] = [];
  for (const alert of open) {
    if (alert.state === 'pending') {
      const rule = config.rules.find((r) => r.name === alert.rule);
      if (rule) due(alert.startsAt + rule.forMs);
      continue;
    }
    if (alert.state !== 'firing') continue;
    const route = routeFor(config, alert);
    if (!route) continue;
    const suppressed = suppressionOf(alert, { silences, inhibit: config.inhibit, open, nowMs });
    if (suppressed) {
      if (suppressed.by === 'silence') due(suppressed.until);
      continue;
    }
    routed.push({ alert, route, group: groupOf(route, alert) });
  }

  const done = new Set<number>();
  // Firing notices, per group.
  for (const members of groupBy(routed.filter((r) => r.alert.notifyAt !== null))) {
    const earliest = Math.min(...members.map((m) => m.alert.notifyAt!));
    if (!due(earliest)) continue;
    plan.writes.push(groupWrite('firing', members, config, nowMs, { notifyAt: null }));
    for (const m of members) done.add(m.alert.id);
  }
  // Escalation, per alert.
  for (const r of routed) {
    const a = r.alert;
    if (done.has(a.id) || a.notifyAt !== null || a.lastNotifiedAt === null || a.firedAt === null) continue;
    const next = r.route.escalate[a.tier];
    if (!next || !due(a.firedAt + next.afterMs)) continue;
    plan.writes.push(escalate(r, config, nowMs));
    done.add(a.id);
  }
  // Repeats, per group.
  const repeating = routed.filter(
    (r) => !done.has(r.alert.id) && r.alert.notifyAt === null && r.alert.lastNotifiedAt !== null,
  );
  for (const members of groupBy(repeating)) {
    const dueMembers = members.filter((m) =>
      due(m.alert.lastNotifiedAt! + m.route.repeatIntervalMs[m.alert.severity]),
    );
    if (dueMembers.length > 0) plan.writes.push(groupWrite('repeat', dueMembers, config, nowMs, {}));
  }
  return plan;
}

function groupBy(list: readonly Routed[]): Routed[][] {
  const groups = new Map<string, Routed[]>();
  for (const r of list) {
    const g = groups.get(r.group.key) ?? [];
    g.push(r);
    groups.set(r.group.key, g);
  }
  return [...groups.values()];
}

function drafts(
  kind: NotificationKind,
  receivers: readonly string[],
  members: readonly Routed[],
  after: readonly StoredAlert[],
  tier: number,
  config: CompiledAlerts,
  nowMs: number,
): NotificationDraft[] {
  return receivers.map((receiver) =>
    notificationDraft({
      kind,
      receiver,
      group: members[0]!.group,
      alerts: after,
      versions: members.map((m) => m.alert.version),
      tier,
      language: config.language,
      dashboardUrl: config.dashboardUrl,
      nowMs,
    }),
  );
}

/** One message per receiver about every member of a group; each member marked notified. */
function groupWrite(
  kind: 'firing' | 'repeat',
  members: readonly Routed[],
  config: CompiledAlerts,
  nowMs: number,
  extra: { notifyAt?: null },
): AlertWrite {
  const after = members.map((m) => ({ ...m.alert, ...extra, lastNotifiedAt: nowMs, updatedAt: nowMs }));
  const tier = Math.max(...members.map((m) => m.alert.tier));
  const receivers = [...new Set(members.flatMap((m) => receiversUpTo(m.route, m.alert.tier)))];
  return {
    updates: members.map((m) => ({
      id: m.alert.id,
      version: m.alert.version,
      set: { ...extra, lastNotifiedAt: nowMs },
    })),
    history: members.map((m) => ({
      alertId: m.alert.id,
      at: nowMs,
      change: kind === 'firing' ? 'notified' : 'repeated',
      state: m.alert.state,
      severity: m.alert.severity,
      tier: m.alert.tier,
      detail: `sent to ${receivers.join(', ')}`,
      actor: null,
    })),
    notifications: drafts(kind, receivers, members, after, tier, config, nowMs),
  };
}

function escalate(r: Routed, config: CompiledAlerts, nowMs: number): AlertWrite {
  const a = r.alert;
  const tier = a.tier + 1;
  const step = r.route.escalate[a.tier]!;
  const severity = step.raiseSeverity ? raiseSeverity(a.severity) : a.severity;
  const receivers = new Set(tierReceivers(r.route, tier));
  let newTier = tier;
  // A raised severity may take the alert to another route: its first receivers are told too, and
  // the alert goes on from that route's first tier.
  const moved = severity !== a.severity ? routeFor(config, { labels: a.labels, severity }) : r.route;
  if (moved && moved !== r.route) {
    for (const x of moved.receivers) receivers.add(x);
    newTier = 0;
  }
  const after: StoredAlert = { ...a, tier: newTier, severity, lastNotifiedAt: nowMs, updatedAt: nowMs };
  const detail = [
    `tier ${tier} reached: sent to ${[...receivers].join(', ')}`,
    ...(severity !== a.severity ? [`severity ${a.severity} → ${severity}`] : []),
  ].join('; ');
  const group = moved ? groupOf(moved, after) : r.group;
  return {
    updates: [{ id: a.id, version: a.version, set: { tier: newTier, severity, lastNotifiedAt: nowMs } }],
    history: [
      {
        alertId: a.id,
        at: nowMs,
        change: 'escalated',
        state: a.state,
        severity,
        tier: newTier,
        detail,
        actor: null,
      },
    ],
    notifications: drafts('escalated', [...receivers], [{ ...r, group }], [after], tier, config, nowMs),
  };
}

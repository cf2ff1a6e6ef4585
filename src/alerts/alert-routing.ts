import type { Severity } from '../config/alerts-schema.js';
import type { CompiledAlertRoute, CompiledAlerts } from '../config/compiled-alerts.js';
import { matchesAll } from '../domain/label-matchers.js';
import type { StoredAlert } from './alert-model.js';

/** The labels routes, silences and inhibition match on: the alert's own plus `severity` (as it is now). */
export function matchLabels(alert: Pick<StoredAlert, 'labels' | 'severity'>): Record<string, string> {
  return { ...alert.labels, severity: alert.severity };
}

/** The first route whose matchers hold; undefined when none does (the alert is kept but sent nowhere). */
export function routeFor(
  alerts: CompiledAlerts,
  alert: Pick<StoredAlert, 'labels' | 'severity'>,
): CompiledAlertRoute | undefined {
  const labels = matchLabels(alert);
  return alerts.routes.find((r) => matchesAll(r.match, labels));
}

/** The group an alert is sent in: its route and the values of the route's `groupBy` labels. */
export function groupOf(
  route: CompiledAlertRoute,
  alert: Pick<StoredAlert, 'labels' | 'severity'>,
): { key: string; labels: Record<string, string> } {
  const all = matchLabels(alert);
  const labels = Object.fromEntries(route.groupBy.map((l) => [l, all[l] ?? '']));
  return { key: `${route.index}:${JSON.stringify(labels)}`, labels };
}

/** The receivers of tiers 0..`tier` of a route, each once, in order. */
export function receiversUpTo(route: CompiledAlertRoute, tier: number): string[] {
  const out = new Set(route.receivers);
  route.escalate.slice(0, tier).forEach((t) => {
    for (const r of t.receivers) out.add(r);
  });
  return [...out];
}

/** The receivers of exactly one tier (0 = the route's own). */
export function tierReceivers(route: CompiledAlertRoute, tier: number): readonly string[] {
  return tier === 0 ? route.receivers : (route.escalate[tier - 1]?.receivers ?? []);
}

const UP: Record<Severity, Severity> = { P2: 'P1', P1: 'P0', P0: 'P0' };

/** One severity up (P2 → P1 → P0; P0 stays). */
export function raiseSeverity(s: Severity): Severity {
  return UP[s];
}

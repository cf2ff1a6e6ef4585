import type { CompiledInhibitRule } from '../config/compiled-alerts.js';
import { matchesAll } from '../domain/label-matchers.js';
import { type Silence, type StoredAlert, silenceActive } from './alert-model.js';
import { matchLabels } from './alert-routing.js';

/** Why an alert's notifications are held back now, if they are. */
export type Suppression =
  | { by: 'silence'; silenceId: number; until: number }
  | { by: 'inhibition'; alertId: number };

/**
 * Whether an alert is silenced (a silence active now matches its labels) or
 * inhibited (a firing or acknowledged alert matching an inhibit rule's
 * `source`, sharing its `equal` labels, while this one matches `target`).
 * An alert never inhibits itself. Pure.
 */
export function suppressionOf(
  alert: StoredAlert,
  context: {
    silences: readonly Silence[];
    inhibit: readonly CompiledInhibitRule[];
    open: readonly StoredAlert[];
    nowMs: number;
  },
): Suppression | undefined {
  const labels = matchLabels(alert);
  const silence = context.silences.find(
    (s) => silenceActive(s, context.nowMs) && matchesAll(s.matchers, labels),
  );
  if (silence)
    return {
      by: 'silence',
      silenceId: silence.id,
      until: Math.min(silence.endsAt, silence.expiredAt ?? Infinity),
    };
  for (const rule of context.inhibit) {
    if (!matchesAll(rule.target, labels)) continue;
    const source = context.open.find((o) => {
      if (o.id === alert.id || (o.state !== 'firing' && o.state !== 'acknowledged')) return false;
      const ol = matchLabels(o);
      return matchesAll(rule.source, ol) && rule.equal.every((l) => (ol[l] ?? '') === (labels[l] ?? ''));
    });
    if (source) return { by: 'inhibition', alertId: source.id };
  }
  return undefined;
}

import type { CompiledAlerts } from '../config/compiled-alerts.js';
import type { EventBus } from '../internal/events.js';
import type { AlertFacts } from './alert-facts.js';
import type { AlertHistoryDraft, AlertWrite, StoredAlert } from './alert-model.js';
import { evaluateRules } from './evaluate-rules.js';
import { planNotifications } from './plan-notifications.js';
import { reconcileAlerts } from './reconcile-alerts.js';
import type { AlertStore } from './store/alert-store.js';

/** What one evaluation did. */
export interface EvaluationResult {
  /** Alerts opened. */
  opened: number;
  /** Alert changes written (updates, resolutions, notices). */
  changed: number;
  /** Changes refused because another process changed the alert first (planned again next time). */
  conflicts: number;
  /** Notifications written to the outbox. */
  notifications: number;
  /** When something falls due next (a `for`, a group wait, a repeat, an escalation); null: nothing. */
  nextDueAt: number | null;
}

/** Silences read per evaluation at most (active and upcoming). */
const SILENCES_READ = 1000;

/**
 * One evaluation cycle over the store: the rules over the facts, the alerts
 * brought in line (opened, updated, resolved with their notices), then the
 * notices due (group waits, escalation, repeats). Every change, with the
 * notifications it causes, is one transaction; a change another process made
 * first is left to the next cycle.
 */
export function createAlertEvaluator(deps: {
  config: CompiledAlerts;
  store: AlertStore;
  events: EventBus;
  now: () => number;
  facts: (nowMs: number) => Promise<AlertFacts>;
}) {
  const { config, store, events } = deps;
  const announce = (history: readonly AlertHistoryDraft[], alerts: ReadonlyMap<number, StoredAlert>) => {
    for (const h of history) {
      const a = alerts.get(h.alertId);
      if (a)
        events.emit('alert:changed', {
          id: a.id,
          rule: a.rule,
          severity: h.severity,
          state: h.state,
          change: h.change,
          labels: a.labels,
        });
    }
  };
  const apply = async (
    writes: readonly AlertWrite[],
    open: readonly StoredAlert[],
    result: EvaluationResult,
  ) => {
    const byId = new Map(open.map((a) => [a.id, a]));
    for (const w of writes) {
      if (await store.applyAlertWrite(w, deps.now())) {
        result.changed++;
        result.notifications += w.notifications.length;
        announce(w.history, byId);
      } else result.conflicts++;
    }
  };

  return {
    async evaluate(): Promise<EvaluationResult> {
      const result: EvaluationResult = {
        opened: 0,
        changed: 0,
        conflicts: 0,
        notifications: 0,
        nextDueAt: null,
      };
      const nowMs = deps.now();
      const facts = await deps.facts(nowMs);
      const silences = await store.listSilences({ nowMs, limit: SILENCES_READ });
      const open = await store.openAlerts();
      const plan = reconcileAlerts({
        config,
        open,
        evaluation: evaluateRules(config.rules, facts),
        silences,
        nowMs,
      });
      for (const c of plan.creates) {
        const created = await store.createAlert(c.alert, c.history);
        if (!created) {
          result.conflicts++;
          continue;
        }
        result.opened++;
        announce(
          c.history.map((h) => ({ ...h, alertId: created.id })),
          new Map([[created.id, created]]),
        );
      }
      await apply(plan.writes, open, result);
      const nowOpen = await store.openAlerts();
      const notify = planNotifications({ config, open: nowOpen, silences, nowMs });
      await apply(notify.writes, nowOpen, result);
      result.nextDueAt = notify.nextDueAt;
      return result;
    },
  };
}

export type AlertEvaluator = ReturnType<typeof createAlertEvaluator>;

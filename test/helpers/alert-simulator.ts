// The alert cycle of the runtime (evaluate, reconcile, notify) over alerts kept in memory, so the
// pure core's behaviour over time is tested without a store. The store adapters apply the same
// writes the same way (test/alert-store-contract.test.ts).

import type { AlertFacts, DatasetFacts, JobFacts } from '../../src/alerts/alert-facts.js';
import type {
  AlertHistoryDraft,
  AlertWrite,
  NotificationDraft,
  Silence,
  StoredAlert,
} from '../../src/alerts/alert-model.js';
import { evaluateRules } from '../../src/alerts/evaluate-rules.js';
import { planNotifications } from '../../src/alerts/plan-notifications.js';
import { reconcileAlerts } from '../../src/alerts/reconcile-alerts.js';
import type { CompiledAlerts } from '../../src/config/compiled-alerts.js';

export class AlertSimulator {
  alerts: StoredAlert[] = [];
  history: AlertHistoryDraft[] = [];
  outbox: NotificationDraft[] = [];
  silences: Silence[] = [];
  nextDueAt: number | null = null;
  private nextId = 1;

  constructor(
    private readonly config: CompiledAlerts,
    readonly now: () => number,
  ) {}

  open(): StoredAlert[] {
    return this.alerts.filter((a) => a.state !== 'resolved');
  }

  /** One cycle: evaluate the facts, reconcile, then plan notifications; returns what it sent. */
  evaluate(datasets: DatasetFacts[], jobs: JobFacts[] = []): NotificationDraft[] {
    const before = this.outbox.length;
    const facts: AlertFacts = { nowMs: this.now(), datasets, jobs };
    const plan = reconcileAlerts({
      config: this.config,
      open: this.open(),
      evaluation: evaluateRules(this.config.rules, facts),
      silences: this.silences,
      nowMs: this.now(),
    });
    for (const c of plan.creates) {
      const alert: StoredAlert = { ...c.alert, id: this.nextId++, version: 1 };
      this.alerts.push(alert);
      for (const h of c.history) this.history.push({ ...h, alertId: alert.id });
    }
    for (const w of plan.writes) this.apply(w);
    this.notify();
    return this.outbox.slice(before);
  }

  /** Only the notification step (what the periodic tick does between evaluations). */
  notify(): NotificationDraft[] {
    const before = this.outbox.length;
    const plan = planNotifications({
      config: this.config,
      open: this.open(),
      silences: this.silences,
      nowMs: this.now(),
    });
    for (const w of plan.writes) this.apply(w);
    this.nextDueAt = plan.nextDueAt;
    return this.outbox.slice(before);
  }

  apply(w: AlertWrite): boolean {
    for (const u of w.updates) {
      const a = this.alerts.find((x) => x.id === u.id);
      if (!a || a.version !== u.version) return false;
    }
    for (const u of w.updates) {
      const i = this.alerts.findIndex((x) => x.id === u.id);
      const a = this.alerts[i]!;
      this.alerts[i] = { ...a, ...u.set, version: a.version + 1, updatedAt: this.now() };
    }
    this.history.push(...w.history);
    for (const n of w.notifications)
      if (!this.outbox.some((o) => o.idempotencyKey === n.idempotencyKey)) this.outbox.push(n);
    return true;
  }

  alert(rule: string): StoredAlert {
    const found = this.alerts.filter((a) => a.rule === rule).at(-1);
    if (!found) throw new Error(`no alert of rule ${rule}`);
    return found;
  }
}

/** Notifications as `kind receiver: rule,rule`. */
export function describeSent(sent: readonly NotificationDraft[]): string[] {
  return sent.map(
    (n) =>
      `${n.kind} ${n.receiver}: ${n.payload.alerts.map((a) => `${a.rule}${a.labels.source ? `/${a.labels.source}` : ''}`).join(',')}`,
  );
}

/** One dataset's facts: healthy unless told otherwise. */
export function datasetFacts(over: Partial<DatasetFacts> = {}): DatasetFacts {
  return {
    name: 'draws',
    gaps: [],
    missing: 0,
    lastInsertAt: 1_700_000_000_000,
    sources: [
      { name: 'primary', state: 'closed', consecutiveFailures: 0, lastFailureAt: null, lastError: null },
    ],
    backfill: { pending: 0, running: 0, failed: 0 },
    collect: { failuresInRow: 0, since: null, lastError: null, observed: false },
    ...over,
  };
}

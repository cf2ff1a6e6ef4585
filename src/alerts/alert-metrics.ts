import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EventBus } from '../internal/events.js';
import type { Alerts } from './alerts-runtime.js';

const SEVERITIES = ['P0', 'P1', 'P2'] as const;
const OUTCOMES = ['delivered', 'retry', 'failed'] as const;
/** From a notification's creation to its delivery: a P0 in milliseconds, to retries over hours. */
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 5, 30, 60, 300, 1800, 3600];

/**
 * The alerts module's metrics: alerts firing (and acknowledged) by severity
 * and the outbox per state, read from the store at each scrape (shared by
 * every process); notifications by receiver and outcome, and the delivery
 * latency, counted in this process. Returns the unsubscribe.
 */
export function registerAlertMetrics(registry: Registry, events: EventBus, alerts: Alerts): () => void {
  const registers = [registry];
  const open = async () => {
    try {
      return await alerts.store.countOpenAlerts();
    } catch {
      return undefined;
    }
  };
  new Gauge({
    name: 'gapwarden_alerts_firing',
    help: 'Alerts firing now (not acknowledged, not resolved), by severity.',
    labelNames: ['severity'] as const,
    registers,
    async collect() {
      const rows = await open();
      if (!rows) return;
      for (const severity of SEVERITIES)
        this.set({ severity }, rows.find((r) => r.state === 'firing' && r.severity === severity)?.count ?? 0);
    },
  });
  new Gauge({
    name: 'gapwarden_alerts_acknowledged',
    help: 'Alerts acknowledged and not yet resolved, by severity.',
    labelNames: ['severity'] as const,
    registers,
    async collect() {
      const rows = await open();
      if (!rows) return;
      for (const severity of SEVERITIES)
        this.set(
          { severity },
          rows.find((r) => r.state === 'acknowledged' && r.severity === severity)?.count ?? 0,
        );
    },
  });
  new Gauge({
    name: 'gapwarden_alert_outbox_notifications',
    help: 'Notifications in the outbox by state: pending (waiting for an attempt), sending (claimed), failed (given up, kept).',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      try {
        const counts = await alerts.store.outboxCounts();
        for (const state of ['pending', 'sending', 'failed'] as const) this.set({ state }, counts[state]);
      } catch {}
    },
  });
  const notifications = new Counter({
    name: 'gapwarden_alert_notifications_total',
    help: 'Delivery attempts of alert notifications in this process, by receiver and outcome: delivered, retry (tried again later), failed (given up).',
    labelNames: ['receiver', 'outcome'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'gapwarden_alert_delivery_latency_seconds',
    help: 'From the notification written to the outbox to its delivery, retries included.',
    labelNames: ['receiver'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  for (const r of alerts.config.receivers)
    for (const outcome of OUTCOMES) notifications.inc({ receiver: r.name, outcome }, 0);
  const off = events.on('alert:delivery', (e) => {
    notifications.inc({ receiver: e.receiver, outcome: e.outcome });
    if (e.outcome === 'delivered') latency.observe({ receiver: e.receiver }, e.latencyMs / 1000);
  });
  return off;
}

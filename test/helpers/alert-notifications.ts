import type { AlertNotification, NotifiedAlert } from '../../src/alerts/notifier.js';
import { compileConfig } from '../../src/config/compile-config.js';
import type { CompiledReceiver } from '../../src/config/compiled-receiver.js';

/** 2024-05-01 02:00:00 UTC (10:00 in Shanghai): when the sample alerts start. */
export const T0 = Date.UTC(2024, 4, 1, 2, 0, 0);

export const sampleAlert = (over: Partial<NotifiedAlert> = {}): NotifiedAlert => ({
  id: 12,
  fingerprint: 'f-gap-draws',
  rule: 'gap-large',
  severity: 'P0',
  state: 'firing',
  labels: { dataset: 'draws' },
  summary: 'draws: 14 partitions missing (3021–3034)',
  tried: 'backfill: 3 attempts per partition; source history answered HTTP 503',
  value: 14,
  startsAt: T0,
  endsAt: null,
  occurrences: 1,
  url: 'http://127.0.0.1:7070/alerts/12',
  ...over,
});

export const sampleNotification = (over: Partial<AlertNotification> = {}): AlertNotification => ({
  idempotencyKey: 'n-42:ops',
  kind: 'firing',
  receiver: 'ops',
  group: { key: 'gap-large{dataset=draws}', labels: { dataset: 'draws' } },
  alerts: [sampleAlert()],
  tier: 0,
  language: 'en',
  dashboardUrl: 'http://127.0.0.1:7070/alerts',
  createdAt: T0 + 12 * 60_000,
  ...over,
});

/** One receiver compiled from config, as the engine gets it. */
export function compileReceiver(
  config: Record<string, unknown>,
  env: Record<string, string> = {},
): CompiledReceiver {
  const compiled = compileConfig(
    { datasets: {}, alerts: { receivers: { ops: config } } },
    { baseDir: '/tmp', env },
  );
  const receiver = compiled.alerts.receivers[0];
  if (!receiver) throw new Error('no receiver compiled');
  return receiver;
}

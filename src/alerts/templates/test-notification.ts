import type { AlertLanguage } from '../../config/alert-receivers-schema.js';
import type { AlertNotification } from '../notifier.js';

export interface TestNotificationOptions {
  receiver: string;
  /** When the test is sent (the clock's time, ms). */
  now: number;
  language: AlertLanguage;
  dashboardUrl: string | null;
  /** Distinguishes one test from another (e.g. the time); retries of one test share it. */
  idempotencyKey?: string;
}

/**
 * The notification `gapwarden alerts test <receiver>` sends: one sample alert,
 * clearly marked as a test, so a person can check that a receiver is set up
 * and what its messages look like.
 */
export function testNotification(o: TestNotificationOptions): AlertNotification {
  return {
    idempotencyKey: o.idempotencyKey ?? `test:${o.receiver}:${o.now}`,
    kind: 'test',
    receiver: o.receiver,
    group: { key: 'test', labels: {} },
    alerts: [
      {
        id: 0,
        fingerprint: 'test',
        rule: 'test',
        severity: 'P2',
        state: 'firing',
        labels: { alert: 'test' },
        summary: o.language === 'zh-CN' ? '测试告警：没有任何故障' : 'test alert: nothing is broken',
        tried: '',
        value: null,
        startsAt: o.now,
        endsAt: null,
        occurrences: 1,
        url: null,
      },
    ],
    tier: 0,
    language: o.language,
    dashboardUrl: o.dashboardUrl,
    createdAt: o.now,
  };
}

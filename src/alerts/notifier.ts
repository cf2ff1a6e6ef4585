/**
 * The contract between the alerts engine and the channels that carry its
 * notifications (webhook, Slack, DingTalk, WeCom, Feishu, email,
 * Alertmanager, the log). The engine decides *what* to say and *when*
 * (rules, grouping, repeats, escalation, silences) and writes each
 * notification to the outbox; a `Notifier` only renders one notification in
 * its channel's format and delivers it. Each channel lives in
 * `notifiers/<channel>-notifier.ts`.
 */

import type { AlertLanguage, ChannelKind } from '../config/alert-receivers-schema.js';
import type { Severity } from '../config/alerts-schema.js';

// Defined in config/ (the config names them, and may not import alerts/); re-exported for the engine and the channels.
export type { AlertLanguage, ChannelKind } from '../config/alert-receivers-schema.js';
export type { Severity } from '../config/alerts-schema.js';

/** Where an alert stands. `acknowledged` stops escalation and repeats; `resolved` is final. */
export type AlertState = 'firing' | 'acknowledged' | 'resolved';

/** Why a notification is sent. */
export type NotificationKind = 'firing' | 'repeat' | 'escalated' | 'resolved' | 'test';

/** One alert as a notification shows it. */
export interface NotifiedAlert {
  /** The alert's id in the store (for links, `alerts ack <id>`). */
  id: number;
  /** Rule name plus labels, hashed: the same condition always updates the same alert. */
  fingerprint: string;
  rule: string;
  severity: Severity;
  /**
   * The rule's own severity, when escalation raised the alert's above it (absent
   * otherwise): messages say so, and Alertmanager, where severity is a label, gets
   * the copies under the earlier severities resolved.
   */
  ruleSeverity?: Severity;
  state: AlertState;
  /** Identifying labels (`dataset`, `source`, `job`, ...) plus the rule's own labels. */
  labels: Readonly<Record<string, string>>;
  /** One line: what broke, e.g. `draws: 14 partitions missing (3021–3034)`. */
  summary: string;
  /** What gapwarden already tried (backfill attempts, failover), in words; empty when nothing. */
  tried: string;
  /** How big, as the rule measures it (partitions missing, seconds stale, failures in a row). */
  value: number | null;
  /** When the condition started (ms). */
  startsAt: number;
  /** When it cleared (ms), for resolved alerts. */
  endsAt: number | null;
  /** Times the condition was seen again while open. */
  occurrences: number;
  /** The alert on the dashboard, when `server.publicUrl` (or the listen address) is known. */
  url: string | null;
}

/**
 * One message to one receiver, as the outbox keeps it. Retries of the same
 * notification carry the same `idempotencyKey`, which every channel that can
 * pass one on does (a header, a field), so a receiver can drop duplicates.
 */
export interface AlertNotification {
  idempotencyKey: string;
  kind: NotificationKind;
  /** The receiver's name in the config. */
  receiver: string;
  /** The group the alerts were batched by (group key and the labels grouped on). */
  group: { key: string; labels: Readonly<Record<string, string>> };
  /** The alerts of the group this notification is about (at least one). */
  alerts: readonly NotifiedAlert[];
  /** The escalation tier this went to (0 = first receivers). */
  tier: number;
  language: AlertLanguage;
  /** The dashboard's alerts page, when known. */
  dashboardUrl: string | null;
  /** When the notification was made (ms); a retry keeps it. */
  createdAt: number;
}

/** What one delivery attempt did. */
export type DeliveryOutcome =
  | { ok: true; status?: number; detail?: string }
  | {
      ok: false;
      /** Whether sending the same notification again later may work (5xx, timeouts, 429). */
      retryable: boolean;
      /** One line, secrets masked, for the delivery log. */
      error: string;
      status?: number;
      /** The receiver asked to wait this long (e.g. `Retry-After`). */
      retryAfterMs?: number;
    };

/** One configured receiver's delivery: renders a notification in its channel's format and sends it. */
export interface Notifier {
  /** The receiver's name in the config. */
  readonly receiver: string;
  readonly channel: ChannelKind;
  /** Delivers one notification; never throws for a delivery failure (returns `ok: false`). */
  send(notification: AlertNotification, signal: AbortSignal): Promise<DeliveryOutcome>;
  /** Releases connections (SMTP pools); called when the engine stops. */
  close?(): Promise<void>;
}

/**
 * The alerts module's part of the store: alerts, their history (every
 * change), silences, the outbox of notifications and the log of delivery
 * attempts. An alert change and the notifications it causes are written in
 * one transaction (`createAlert`, `applyAlertWrite`), so a crash between the
 * change and the delivery loses nothing: the outbox keeps the message until
 * a worker delivers it. `test/alert-store-contract.test.ts` runs on every
 * adapter.
 */
import type { Severity } from '../../config/alerts-schema.js';
import type {
  AlertHistoryDraft,
  AlertHistoryEntry,
  AlertWrite,
  NewAlert,
  NewSilence,
  NotificationDraft,
  Silence,
  StoredAlert,
  StoredAlertState,
} from '../alert-model.js';
import type { AlertNotification, DeliveryOutcome, NotificationKind } from '../notifier.js';

/** `pending` waits for its next attempt; `sending` is claimed by a worker (until its lease ends); the rest are final. */
export type NotificationState = 'pending' | 'sending' | 'delivered' | 'failed';

/** One notification in the outbox. */
export interface OutboxNotification {
  id: number;
  idempotencyKey: string;
  receiver: string;
  kind: NotificationKind;
  groupKey: string;
  alertIds: number[];
  payload: AlertNotification;
  state: NotificationState;
  /** Attempts made so far. */
  attempts: number;
  nextAttemptAt: number;
  leaseHolder: string | null;
  leaseUntil: number | null;
  createdAt: number;
  deliveredAt: number | null;
  lastError: string | null;
  lastStatus: number | null;
}

/** One delivery attempt, as the log keeps it. */
export interface DeliveryAttempt {
  id: number;
  notificationId: number;
  receiver: string;
  kind: NotificationKind;
  attempt: number;
  at: number;
  ms: number;
  ok: boolean;
  retryable: boolean;
  status: number | null;
  error: string | null;
  holder: string;
}

/** What one attempt did, and what becomes of the notification. */
export interface DeliveryRecord {
  notificationId: number;
  holder: string;
  at: number;
  ms: number;
  outcome: DeliveryOutcome;
  /** `pending` with the time of the next attempt, or final. */
  next: { state: 'delivered' } | { state: 'failed' } | { state: 'pending'; nextAttemptAt: number };
}

export interface AlertListFilter {
  states?: readonly StoredAlertState[];
  severities?: readonly Severity[];
  /** Alerts that never fired (pending, or cleared while pending) are left out unless asked. @default false */
  includeNeverFired?: boolean;
  /** Newest first, at most this many. */
  limit: number;
  /** Only alerts with a smaller id (the next page). */
  beforeId?: number;
}

export interface AlertStore {
  /** Alerts not yet resolved (pending, firing, acknowledged), oldest first. */
  openAlerts(): Promise<StoredAlert[]>;
  listAlerts(filter: AlertListFilter): Promise<StoredAlert[]>;
  getAlert(id: number): Promise<StoredAlert | undefined>;
  /**
   * Opens an alert with its first history entries, in one transaction.
   * Undefined when an open alert of the same fingerprint exists already
   * (another process opened it first): nothing is written.
   */
  createAlert(
    alert: NewAlert,
    history: readonly Omit<AlertHistoryDraft, 'alertId'>[],
  ): Promise<StoredAlert | undefined>;
  /**
   * Applies updates of alerts, their history entries and the notifications
   * they cause in one transaction. Each update names the version it was
   * planned on; when any alert moved past it (another process changed it),
   * nothing is written and it returns false. A notification whose
   * idempotency key the outbox already holds is not added twice.
   */
  applyAlertWrite(write: AlertWrite, nowMs: number): Promise<boolean>;
  /** Newest first; of one alert, or of all (`since`: at or after this time). */
  alertHistory(filter: {
    alertId?: number;
    since?: number;
    limit: number;
    beforeId?: number;
  }): Promise<AlertHistoryEntry[]>;

  createSilence(silence: NewSilence): Promise<Silence>;
  /** Newest first; `activeAt`: only those holding then; expired ones (ended or expired) only with `includeEnded`. */
  listSilences(filter: {
    activeAt?: number;
    includeEnded?: boolean;
    nowMs: number;
    limit: number;
  }): Promise<Silence[]>;
  getSilence(id: number): Promise<Silence | undefined>;
  /** Ends a silence now; undefined when there is none of that id. Expiring an ended one changes nothing. */
  expireSilence(id: number, nowMs: number): Promise<Silence | undefined>;

  /** Adds notifications that belong to no alert change (a test message). Returns how many were new. */
  enqueueNotifications(drafts: readonly NotificationDraft[], nowMs: number): Promise<number>;
  /**
   * Claims up to `limit` notifications due at `nowMs` (pending and due, or
   * sending under a lease that ended: their holder died) for `holder` until
   * `nowMs + leaseMs`, oldest due first. Concurrent claimers, in this process
   * or others, never get the same notification while its lease holds.
   */
  claimNotifications(
    holder: string,
    nowMs: number,
    leaseMs: number,
    limit: number,
  ): Promise<OutboxNotification[]>;
  /**
   * Logs each attempt and moves its notification on, in one transaction.
   * An attempt is logged even when its holder lost the lease meanwhile; the
   * notification then stays with its new holder. Returns, per record, whether
   * the lease was still held.
   */
  recordDeliveries(records: readonly DeliveryRecord[]): Promise<boolean[]>;
  /** Gives claimed notifications back at shutdown, due at once for any process. */
  releaseNotifications(ids: readonly number[], holder: string, nowMs: number): Promise<void>;
  /** Newest first; of one alert, or in some states. */
  listNotifications(filter: {
    alertId?: number;
    states?: readonly NotificationState[];
    limit: number;
    beforeId?: number;
  }): Promise<OutboxNotification[]>;
  /** The attempts of some notifications, oldest first. */
  deliveryAttempts(notificationIds: readonly number[]): Promise<DeliveryAttempt[]>;
  /** Notifications per state. */
  outboxCounts(): Promise<Record<NotificationState, number>>;
  /** When the next pending notification falls due (or a claimed one's lease ends); null when none is waiting. */
  nextNotificationDue(): Promise<number | null>;
  /** Alerts not resolved, per state and severity (those that fired). */
  countOpenAlerts(): Promise<{ state: StoredAlertState; severity: Severity; count: number }[]>;
}

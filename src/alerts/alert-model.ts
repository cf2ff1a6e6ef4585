import type { AlertConditionKind, Severity } from '../config/alerts-schema.js';
import type { LabelMatcher } from '../domain/label-matchers.js';
import type { AlertNotification, AlertState, NotificationKind } from './notifier.js';

/**
 * An alert as the store keeps it. `pending` is a condition seen but whose
 * rule's `for` has not yet passed: it notifies nobody and, when it clears
 * first, ends as `resolved` without ever having fired (`firedAt` null).
 */
export type StoredAlertState = 'pending' | AlertState;

export interface StoredAlert {
  id: number;
  /** Rule name plus identifying labels, hashed: one open alert per fingerprint. */
  fingerprint: string;
  rule: string;
  kind: AlertConditionKind;
  /** Now (escalation may have raised it). */
  severity: Severity;
  /** The rule's severity. */
  baseSeverity: Severity;
  state: StoredAlertState;
  labels: Readonly<Record<string, string>>;
  summary: string;
  tried: string;
  value: number | null;
  /** Which occurrence of the condition this is (a gap's start, a failure's time): a new one counts. */
  instance: string | null;
  occurrences: number;
  /** When the condition started (ms). */
  startsAt: number;
  firedAt: number | null;
  lastSeenAt: number;
  endsAt: number | null;
  /** The escalation tier reached (0 = the route's first receivers). */
  tier: number;
  /** A firing notice is owed at this time (group wait); null once sent. */
  notifyAt: number | null;
  /** When the last firing, repeat or escalation notice went out. */
  lastNotifiedAt: number | null;
  ackedAt: number | null;
  ackedBy: string | null;
  ackComment: string | null;
  /** Bumped by every change: a change planned on an older version is refused (another process moved first). */
  version: number;
  updatedAt: number;
}

/** A new alert: the store gives its id and version. */
export type NewAlert = Omit<StoredAlert, 'id' | 'version'>;

/** What an update may change. */
export type AlertPatch = Partial<
  Pick<
    StoredAlert,
    | 'severity'
    | 'state'
    | 'summary'
    | 'tried'
    | 'value'
    | 'instance'
    | 'occurrences'
    | 'firedAt'
    | 'lastSeenAt'
    | 'endsAt'
    | 'tier'
    | 'notifyAt'
    | 'lastNotifiedAt'
    | 'ackedAt'
    | 'ackedBy'
    | 'ackComment'
  >
>;

/** Kinds of entries in an alert's history. */
export type AlertChangeKind =
  | 'pending'
  | 'fired'
  | 'seen-again'
  | 'notified'
  | 'repeated'
  | 'escalated'
  | 'acknowledged'
  | 'resolved'
  | 'cleared';

export interface AlertHistoryDraft {
  alertId: number;
  at: number;
  change: AlertChangeKind;
  state: StoredAlertState;
  severity: Severity;
  tier: number;
  /** In words: receivers told, the new severity, the ack comment, ... */
  detail: string | null;
  /** Who acted (ack), when a person did. */
  actor: string | null;
}

export interface AlertHistoryEntry extends AlertHistoryDraft {
  id: number;
  rule: string;
  labels: Readonly<Record<string, string>>;
}

/** One message to one receiver, written to the outbox in the transaction of the change that causes it. */
export interface NotificationDraft {
  idempotencyKey: string;
  receiver: string;
  kind: NotificationKind;
  groupKey: string;
  alertIds: readonly number[];
  payload: AlertNotification;
  /** When it may first be attempted. */
  dueAt: number;
}

/** Updates of several alerts, their history and the notifications they cause: applied all or none. */
export interface AlertWrite {
  updates: { id: number; version: number; set: AlertPatch }[];
  history: AlertHistoryDraft[];
  notifications: NotificationDraft[];
}

/** A silence: notifications of matching alerts are held back between `startsAt` and `endsAt`. */
export interface Silence {
  id: number;
  matchers: readonly LabelMatcher[];
  startsAt: number;
  endsAt: number;
  author: string;
  comment: string;
  createdAt: number;
  /** Set when expired before its end by a person. */
  expiredAt: number | null;
}

export type NewSilence = Omit<Silence, 'id' | 'expiredAt'>;

/** Whether a silence holds at `nowMs`. */
export function silenceActive(s: Silence, nowMs: number): boolean {
  return s.startsAt <= nowMs && nowMs < s.endsAt && (s.expiredAt === null || s.expiredAt > nowMs);
}

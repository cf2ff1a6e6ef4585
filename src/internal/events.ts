/** Every lifecycle event gapwarden emits, with its payload. Metrics, the demo terminal and tests share this map. */
export interface GapwardenEvents {
  'records:ingested': {
    dataset: string;
    source: string | null;
    inserted: number;
    updated: number;
    unchanged: number;
    rejected: number;
  };
  'record:rejected': { dataset: string; source: string | null; reason: string; key?: string };
  'gap:opened': { dataset: string; from: number | string; to: number | string; count: number };
  /**
   * A missing partition was stored. `openForMs`: from when this process found the gap
   * to now; null when the gap was already open when the process started.
   */
  'gap:closed': {
    dataset: string;
    partition: number | string;
    by: 'backfill' | 'ingest';
    openForMs: number | null;
  };
  'backfill:filled': { dataset: string; partition: number | string; source: string; ms: number };
  'backfill:not-found': { dataset: string; partition: number | string };
  /** The source does not have the partition yet (it has not published that far): asked again later. */
  'backfill:deferred': { dataset: string; partition: number | string; runId: number };
  'backfill:retry': { dataset: string; partition: number | string; attempt: number; error: string };
  'backfill:failed': { dataset: string; partition: number | string; attempts: number; error: string };
  'backfill:run-finished': {
    dataset: string;
    runId: number;
    filled: number;
    failed: number;
    notFound: number;
    ms: number;
  };
  'source:state': { dataset: string; source: string; state: 'closed' | 'open' | 'half-open'; error?: string };
  /**
   * One request an HTTP source sent upstream: every retry and page counts, requests
   * gapwarden aborted itself do not. `ms` runs from sending to the end of the body.
   * See SourceRequestOutcome (src/sources/source-request.ts) for what each outcome means.
   */
  'source:request': {
    dataset: string;
    source: string;
    kind: 'latest' | 'byKey' | 'byRange';
    outcome:
      | 'ok'
      | 'not_found'
      | 'rate_limited'
      | 'timeout'
      | 'http_4xx'
      | 'http_5xx'
      | 'network'
      | 'malformed'
      | 'rejected';
    ms: number;
    status?: number;
  };
  'collect:failed': { dataset: string; error: string };
  /** A job run took its lease and started; `lateMs` = start time minus due time. */
  'job:started': {
    job: string;
    dueAt: number;
    trigger: 'schedule' | 'catch-up' | 'manual';
    lateMs: number;
    attempt: number;
  };
  'job:finished': {
    job: string;
    dueAt: number;
    trigger: 'schedule' | 'catch-up' | 'manual';
    state: 'ok' | 'failed' | 'timeout' | 'cancelled';
    ms: number;
    lateMs: number;
  };
  /** A due run that did not run: the previous one was still running (`overlap`). */
  'job:skipped': { job: string; dueAt: number; reason: 'overlap' };
  /** Runs that fell due while gapwarden was down, found at start; `caughtUp` of them run now. */
  'job:missed': { job: string; missed: number; caughtUp: number };
  /** An alert changed: opened (pending or firing), notified, escalated, acknowledged, resolved, ... */
  'alert:changed': {
    id: number;
    rule: string;
    severity: 'P0' | 'P1' | 'P2';
    state: 'pending' | 'firing' | 'acknowledged' | 'resolved';
    change: string;
    labels: Readonly<Record<string, string>>;
  };
  /**
   * One delivery attempt of a notification finished: `delivered`, `retry` (tried again later)
   * or `failed` (given up). `ms` is the attempt; `latencyMs` runs from the notification's
   * creation to the end of this attempt.
   */
  'alert:delivery': {
    receiver: string;
    kind: 'firing' | 'repeat' | 'escalated' | 'resolved' | 'test';
    outcome: 'delivered' | 'retry' | 'failed';
    attempt: number;
    ms: number;
    latencyMs: number;
    error?: string;
  };
  /**
   * A check ran (checks module): its status (health, or `error` when it could not be
   * evaluated, with the database's message), level and score. Alert rules with a
   * `check` condition fire on degraded/unhealthy/error and resolve when it passes.
   */
  'check:ran': {
    check: string;
    kind: string;
    profile: string;
    runId: number;
    status: 'healthy' | 'degraded' | 'unhealthy' | 'error';
    level: 'low' | 'medium' | 'high' | 'critical' | undefined;
    score: number | undefined;
    findings: number;
    at: number;
    /** How long the run took. */
    ms: number;
    error?: string;
  };
  /** A stream pipeline committed: its effects were stored, then `messages` were acknowledged. */
  'stream:committed': {
    pipeline: string;
    messages: number;
    deadLetters: number;
    results: number;
    ms: number;
  };
  /** A stream pipeline's batch was handed over, complete or at its timeout (alert rules read the stored reports). */
  'stream:batch': {
    pipeline: string;
    batchId: string;
    status: 'complete' | 'timed-out';
    availabilityRatio: number;
    missingKeys: number;
  };
  /** A module of a stream pipeline threw (or rejected) on one key's window: it gave no result. */
  'stream:module-failed': { pipeline: string; module: string; key: string; batchId: string; error: string };
  /** A malformed message went to the dead-letter topic. */
  'stream:dead-letter': { pipeline: string; topic: string; id: string; reason: string };
}

export type EventName = keyof GapwardenEvents;
export type Listener<K extends EventName> = (payload: GapwardenEvents[K]) => void;

/** A small typed event bus. Listeners run synchronously; one that throws does not stop the others. */
export interface EventBus {
  on<K extends EventName>(name: K, listener: Listener<K>): () => void;
  emit<K extends EventName>(name: K, payload: GapwardenEvents[K]): void;
}

export function createEventBus(onListenerError?: (err: unknown) => void): EventBus {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  return {
    on(name, listener) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
    emit(name, payload) {
      const set = listeners.get(name);
      if (!set) return;
      for (const l of set) {
        try {
          l(payload);
        } catch (err) {
          onListenerError?.(err);
        }
      }
    },
  };
}

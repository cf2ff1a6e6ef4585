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
  'gap:closed': { dataset: string; partition: number | string; by: 'backfill' | 'ingest' };
  'backfill:filled': { dataset: string; partition: number | string; source: string; ms: number };
  'backfill:not-found': { dataset: string; partition: number | string };
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
    outcome: 'ok' | 'not_found' | 'rate_limited' | 'timeout' | 'error';
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

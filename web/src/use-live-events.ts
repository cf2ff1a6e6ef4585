import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { JobEventName, LiveEvent, LiveEventName } from './api/types';

/**
 * `live`: the event stream is connected, pages refresh as things happen.
 * `polling`: no stream (not yet, lost, or refused), pages ask the server every second.
 */
export type LiveState = 'live' | 'polling';

export type LiveListener = (event: LiveEvent) => void;

export interface LiveEvents {
  state: LiveState;
  /** Calls `listener` for every event until the returned function is called. Stable across renders. */
  subscribe: (listener: LiveListener) => () => void;
}

const EVENT_NAMES: LiveEventName[] = [
  'records:ingested',
  'gap:opened',
  'gap:closed',
  'backfill:filled',
  'backfill:not-found',
  'backfill:failed',
  'backfill:run-finished',
  'source:state',
  'job:started',
  'job:finished',
  'job:skipped',
];

// After the server refused the stream (e.g. it guards reads with a token, which EventSource
// cannot send), try again now and then: slowly, since polling covers the meantime.
const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 60_000;

/**
 * Opens one EventSource on `/api/events` for the whole page. Pages subscribe to its
 * events; `state` says whether it is connected. A stream that fails is not an error
 * the user needs to see: the pages keep polling, and the header says so.
 */
export function useLiveEvents(url = '/api/events'): LiveEvents {
  const [state, setState] = useState<LiveState>('polling');
  const listeners = useRef(new Set<LiveListener>());
  const subscribe = useCallback((listener: LiveListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let retryMs = RETRY_FIRST_MS;
    let stopped = false;

    const connect = () => {
      const es = new EventSource(url);
      source = es;
      es.onopen = () => {
        retryMs = RETRY_FIRST_MS;
        setState('live');
      };
      es.onerror = () => {
        if (stopped) return;
        setState('polling');
        // While CONNECTING the browser reconnects by itself (server restarted); CLOSED means refused.
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          retry = setTimeout(connect, retryMs);
          retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        }
      };
      for (const name of EVENT_NAMES) {
        es.addEventListener(name, (message) => {
          let data: unknown;
          try {
            data = JSON.parse((message as MessageEvent<string>).data);
          } catch {
            return;
          }
          const event = { name, data } as LiveEvent;
          for (const listener of listeners.current) listener(event);
        });
      }
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [url]);

  return useMemo(() => ({ state, subscribe }), [state, subscribe]);
}

type JobEvent = Extract<LiveEvent, { name: JobEventName }>;

function isJobEvent(event: LiveEvent): event is JobEvent {
  return event.name === 'job:started' || event.name === 'job:finished' || event.name === 'job:skipped';
}

/**
 * Whether an event changes what a page about `dataset` shows (`'*'`: any dataset).
 * A collect that found nothing new still reports `records:ingested`; that one does not count.
 * Job runs do not: what a run changed in a dataset arrives as its own events.
 */
export function eventConcerns(event: LiveEvent, dataset: string): boolean {
  if (isJobEvent(event)) return false;
  if (dataset !== '*' && event.data.dataset !== dataset) return false;
  if (event.name === 'records:ingested') {
    const d = event.data;
    return d.inserted + d.updated + d.rejected > 0;
  }
  return true;
}

/** Whether an event is about a run of job `id` (`'*'`: of any job). */
export function jobEventConcerns(event: LiveEvent, id: string): boolean {
  return isJobEvent(event) && (id === '*' || event.data.job === id);
}

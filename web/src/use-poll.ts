import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { eventConcerns, jobEventConcerns, type LiveEvents } from './use-live-events';

export interface Polled<T> {
  /** The last successful answer; kept while a later call fails, so the page does not blank. */
  data: T | undefined;
  /** The last call's error, cleared by the next success. */
  error: Error | undefined;
  /** When `data` was received (client clock, ms). */
  updatedAt: number | undefined;
  /** When the call that returned `data` was sent (client clock, ms): `data` includes everything before it. */
  requestedAt: number | undefined;
  /** Calls again now (e.g. after starting a backfill). */
  refresh: () => void;
}

export interface PollOptions {
  /**
   * The page's event stream. While it is connected, polling slows to LIVE_POLL_MS
   * and the events named by `refreshOn` and `refreshOnJob` call again at once instead.
   */
  live?: LiveEvents;
  /** Events of this dataset (`'*'`: of any dataset) call again at once. */
  refreshOn?: string;
  /** Runs of this job (`'*'`: of any job) starting, finishing or being skipped call again at once. */
  refreshOnJob?: string;
}

/** How often pages ask the API again while the tab is visible and no event stream is connected. */
export const POLL_MS = 1000;
/** How often they ask while the event stream is connected: events trigger the refreshes. */
export const LIVE_POLL_MS = 5000;
/** Events arrive in bursts (a backfill fills many partitions): one refresh per burst. */
const EVENT_DEBOUNCE_MS = 100;

type PollState<T> = Omit<Polled<T>, 'refresh'>;
const EMPTY = { data: undefined, error: undefined, updatedAt: undefined, requestedAt: undefined };

/**
 * Calls `load` now and then every POLL_MS (LIVE_POLL_MS while events stream) after the
 * previous call finished, only while the tab is visible (a hidden tab costs the server
 * nothing). A change in `key` starts over with empty data, so one dataset's numbers
 * never show under another's name.
 */
export function usePoll<T>(load: () => Promise<T>, key: string, options: PollOptions = {}): Polled<T> {
  const { live, refreshOn, refreshOnJob } = options;
  const [state, setState] = useState<PollState<T>>(EMPTY);
  const loadRef = useRef(load);
  loadRef.current = load;
  const intervalMs = live?.state === 'live' ? LIVE_POLL_MS : POLL_MS;
  const intervalRef = useRef(intervalMs);
  const kick = useRef<() => void>(() => {});

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    // Asked for while a call was running: its answer may predate the change, so call once more.
    let again = false;
    setState(EMPTY);

    const tick = async () => {
      if (stopped) return;
      if (inFlight) {
        again = true;
        return;
      }
      clearTimeout(timer);
      if (document.hidden) return; // resumed by visibilitychange
      inFlight = true;
      again = false;
      const requestedAt = Date.now();
      try {
        const data = await loadRef.current();
        if (!stopped) setState({ data, error: undefined, updatedAt: Date.now(), requestedAt });
      } catch (err) {
        if (!stopped) setState((s) => ({ ...s, error: err instanceof Error ? err : new Error(String(err)) }));
      } finally {
        inFlight = false;
        if (!stopped) timer = setTimeout(tick, again ? 0 : intervalRef.current);
      }
    };
    const onVisibility = () => {
      if (!document.hidden) void tick();
    };
    kick.current = () => void tick();
    document.addEventListener('visibilitychange', onVisibility);
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [key]);

  // A new cadence applies from the next call; losing the stream also calls at once,
  // since events may have been missed. Never restarts from empty data.
  useEffect(() => {
    const slower = intervalMs > intervalRef.current;
    const changed = intervalMs !== intervalRef.current;
    intervalRef.current = intervalMs;
    if (changed && !slower) kick.current();
  }, [intervalMs]);

  useEffect(() => {
    if (!live || (refreshOn === undefined && refreshOnJob === undefined)) return;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const off = live.subscribe((event) => {
      const concerns =
        (refreshOn !== undefined && eventConcerns(event, refreshOn)) ||
        (refreshOnJob !== undefined && jobEventConcerns(event, refreshOnJob));
      // Not reset by later events, so a steady stream of them still refreshes every EVENT_DEBOUNCE_MS.
      if (pending !== undefined || !concerns) return;
      pending = setTimeout(() => {
        pending = undefined;
        kick.current();
      }, EVENT_DEBOUNCE_MS);
    });
    return () => {
      off();
      clearTimeout(pending);
    };
  }, [live?.subscribe, refreshOn, refreshOnJob]);

  const refresh = useCallback(() => kick.current(), []);
  return { ...state, refresh };
}

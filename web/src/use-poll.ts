import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  /** The last successful answer; kept while a later call fails, so the page does not blank. */
  data: T | undefined;
  /** The last call's error, cleared by the next success. */
  error: Error | undefined;
  /** When `data` was received (client clock, ms). */
  updatedAt: number | undefined;
  /** Calls again now (e.g. after starting a backfill). */
  refresh: () => void;
}

/** How often pages ask the API again while the tab is visible. */
export const POLL_MS = 1000;

/**
 * Calls `load` now and then every `intervalMs` after the previous call finished,
 * only while the tab is visible (a hidden tab costs the server nothing). A change
 * in `key` starts over with empty data, so one dataset's numbers never show under another's name.
 */
export function usePoll<T>(load: () => Promise<T>, key: string, intervalMs = POLL_MS): Polled<T> {
  const [state, setState] = useState<Omit<Polled<T>, 'refresh'>>({
    data: undefined,
    error: undefined,
    updatedAt: undefined,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const kick = useRef<() => void>(() => {});

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    setState({ data: undefined, error: undefined, updatedAt: undefined });

    const tick = async () => {
      if (stopped || inFlight) return;
      clearTimeout(timer);
      if (document.hidden) return; // resumed by visibilitychange
      inFlight = true;
      try {
        const data = await loadRef.current();
        if (!stopped) setState({ data, error: undefined, updatedAt: Date.now() });
      } catch (err) {
        if (!stopped) setState((s) => ({ ...s, error: err instanceof Error ? err : new Error(String(err)) }));
      } finally {
        inFlight = false;
        if (!stopped) timer = setTimeout(tick, intervalMs);
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
  }, [key, intervalMs]);

  const refresh = useCallback(() => kick.current(), []);
  return { ...state, refresh };
}

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Gap } from './api/types';
import { createGapTracker, type TrackedGap } from './gap-tracker';
import type { LiveEvents } from './use-live-events';
import type { Polled } from './use-poll';

/** How often "open for 0.4 s" advances while a gap is young enough to show tenths. */
const FAST_TICK_MS = 100;
const FAST_WHILE_YOUNGER_MS = 10_000;
/** How often "open for 2 min" and "filled 12 s ago" advance, and filled gaps leave the list. */
const SLOW_TICK_MS = 1000;

/**
 * The gaps of one dataset as they open and close: from the event stream when it is
 * connected, and from the polled open-gap list (gaps older than the page, backfill
 * state, and the only source when there is no stream). Re-renders on its own while
 * something on the list changes with time. Returns the list and the time it was drawn at.
 */
export function useGapActivity(
  dataset: string,
  open: Polled<Gap[]>,
  live: LiveEvents,
): { gaps: TrackedGap[]; nowMs: number } {
  const tracker = useMemo(() => createGapTracker(), []);
  const [, setVersion] = useState(0);
  const seen = useRef<Gap[] | undefined>(undefined);

  useEffect(
    () =>
      live.subscribe((event) => {
        if (!('dataset' in event.data) || event.data.dataset !== dataset) return;
        const now = Date.now();
        if (event.name === 'gap:opened') tracker.opened(event.data, now);
        else if (event.name === 'gap:closed') tracker.resolved(event.data.partition, event.data.by, now);
        else if (event.name === 'backfill:not-found')
          tracker.resolved(event.data.partition, 'not-found', now);
        else return;
        setVersion((v) => v + 1);
      }),
    [live.subscribe, dataset, tracker],
  );

  // Each answer once, in render: the list below already reflects it.
  if (open.data && open.data !== seen.current && open.requestedAt !== undefined) {
    seen.current = open.data;
    tracker.polled(open.data, open.requestedAt, open.updatedAt ?? Date.now());
  }

  const nowMs = Date.now();
  const gaps = tracker.list(nowMs);
  const tickMs = gaps.some((g) => g.closedAt === null && nowMs - g.openedAt < FAST_WHILE_YOUNGER_MS)
    ? FAST_TICK_MS
    : gaps.length > 0
      ? SLOW_TICK_MS
      : undefined;
  useEffect(() => {
    if (tickMs === undefined) return;
    const timer = setInterval(() => setVersion((v) => v + 1), tickMs);
    return () => clearInterval(timer);
  }, [tickMs]);

  return { gaps, nowMs };
}

import { useRef } from 'preact/hooks';
import type { Gap } from './api/types';

/** A gap seen open earlier that is now filled (none of its partitions is missing any more). */
export interface ClosedGap {
  gap: Gap;
  closedAt: number;
}

/** How long a filled gap stays on the list, in green, so a person sees it close. */
export const CLOSED_GAP_LINGER_MS = 60_000;

function overlaps(a: Gap, b: Gap): boolean {
  return a.fromOrdinal <= b.toOrdinal && b.fromOrdinal <= a.toOrdinal;
}

/**
 * Remembers gaps that were open in an earlier answer and are gone now. A gap that
 * only shrank (part of it still open) is not "closed": the open remainder shows instead.
 */
export function useClosedGaps(open: Gap[] | undefined, nowMs: number): ClosedGap[] {
  const previous = useRef<Gap[]>([]);
  const closed = useRef<ClosedGap[]>([]);
  const lastSeen = useRef<Gap[] | undefined>(undefined);
  if (open && open !== lastSeen.current) {
    lastSeen.current = open;
    for (const gap of previous.current) {
      if (!open.some((g) => overlaps(g, gap))) closed.current.unshift({ gap, closedAt: nowMs });
    }
    // A partition that went missing again is open, not closed.
    closed.current = closed.current.filter(
      (c) => nowMs - c.closedAt < CLOSED_GAP_LINGER_MS && !open.some((g) => overlaps(g, c.gap)),
    );
    previous.current = open;
  }
  return closed.current;
}

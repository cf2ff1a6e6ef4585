// What the "Recent gap activity" panel shows: gaps as they open and close, built from the
// event stream (precise: when, and who filled them) and the polled list of open gaps
// (gaps open before the page loaded, backfill state, and a fallback without events).
// Pure: no DOM, no timers; the caller passes the time.

import type { Gap, GapBackfillState, PartitionLabel } from './api/types';

export interface TrackedGap {
  /** The row's `data-gap`: "3007" or "3005..3009", the same from open to filled. */
  id: string;
  from: PartitionLabel;
  to: PartitionLabel;
  count: number;
  /** When the gap opened (client clock): its event's arrival, or its age in the first API answer. */
  openedAt: number;
  /**
   * `event`: seen opening. `poll`: open before the page loaded; `openedAt` then comes
   * from the API's age. Either way it is when gapwarden found the gap, never the
   * partitions' own dates (history replayed today is minutes old, not years).
   */
  origin: 'event' | 'poll';
  /** Partitions filled so far (labels as strings, each counted once). */
  filled: Set<string>;
  /** Partitions the source confirmed it does not have (known missing: no longer a gap). */
  knownMissing: Set<string>;
  /** When the last partition was filled or known missing; null while open. */
  closedAt: number | null;
  /** What filled the gap's last partition; null when only a poll saw it gone. */
  closedBy: 'backfill' | 'ingest' | null;
  /** From the latest API answer that lists the gap; null before one did. */
  backfill: GapBackfillState | null;
}

export interface GapTracker {
  /** A `gap:opened` event. */
  opened(gap: { from: PartitionLabel; to: PartitionLabel; count: number }, nowMs: number): void;
  /** A `gap:closed` (filled by backfill or ingest) or `backfill:not-found` (known missing) event. */
  resolved(partition: PartitionLabel, how: 'backfill' | 'ingest' | 'not-found', nowMs: number): void;
  /** An answer of the open-gaps API, sent at `requestedAt` and received at `receivedAt`. */
  polled(open: Gap[], requestedAt: number, receivedAt: number): void;
  /** Open gaps and gaps closed in the last `lingerMs`, newest first (a row keeps its place when it turns green). */
  list(nowMs: number): TrackedGap[];
}

/** How long a filled gap stays on the list, in green, so a person sees it close. */
export const CLOSED_GAP_LINGER_MS = 60_000;
/** Filled gaps kept at most, so a burst of backfills does not push the open ones off the screen. */
const MAX_CLOSED = 20;

/**
 * Orders partition labels: numbers (sequence datasets) by value, ISO strings (calendar
 * datasets) by the instant they name, falling back to text order for labels of one format.
 */
export function comparePartitions(a: PartitionLabel, b: PartitionLabel): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const ta = typeof a === 'string' ? Date.parse(a) : Number.NaN;
  const tb = typeof b === 'string' ? Date.parse(b) : Number.NaN;
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) return ta - tb;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function gapId(from: PartitionLabel, to: PartitionLabel): string {
  return String(from) === String(to) ? String(from) : `${from}..${to}`;
}

function contains(g: { from: PartitionLabel; to: PartitionLabel }, p: PartitionLabel): boolean {
  return comparePartitions(g.from, p) <= 0 && comparePartitions(p, g.to) <= 0;
}

function overlaps(
  a: { from: PartitionLabel; to: PartitionLabel },
  b: { from: PartitionLabel; to: PartitionLabel },
): boolean {
  return comparePartitions(a.from, b.to) <= 0 && comparePartitions(b.from, a.to) <= 0;
}

// When several API gaps overlap one tracked gap, the most telling state wins.
const BACKFILL_RANK: Record<GapBackfillState, number> = { running: 3, failed: 2, queued: 1, none: 0 };

export function createGapTracker(lingerMs = CLOSED_GAP_LINGER_MS): GapTracker {
  let gaps: TrackedGap[] = [];

  const add = (
    from: PartitionLabel,
    to: PartitionLabel,
    count: number,
    openedAt: number,
    origin: TrackedGap['origin'],
  ) => {
    const id = gapId(from, to);
    // The same range open again: the old green row makes way for the new amber one.
    gaps = gaps.filter((g) => g.id !== id);
    const gap: TrackedGap = {
      id,
      from,
      to,
      count,
      openedAt,
      origin,
      filled: new Set(),
      knownMissing: new Set(),
      closedAt: null,
      closedBy: null,
      backfill: null,
    };
    gaps.push(gap);
    return gap;
  };

  return {
    opened({ from, to, count }, nowMs) {
      if (gaps.some((g) => g.closedAt === null && g.id === gapId(from, to))) return;
      add(from, to, count, nowMs, 'event');
    },

    resolved(partition, how, nowMs) {
      const key = String(partition);
      for (const g of gaps) {
        if (!contains(g, partition)) continue;
        if (g.closedAt !== null) {
          // A poll saw it gone before this event arrived: the event still says who filled it.
          if (g.closedBy === null && how !== 'not-found') g.closedBy = how;
          continue;
        }
        if (how === 'not-found') g.knownMissing.add(key);
        else g.filled.add(key);
        if (g.filled.size + g.knownMissing.size >= g.count) {
          g.closedAt = nowMs;
          g.closedBy = how === 'not-found' ? null : how;
        }
      }
    },

    polled(open, requestedAt, receivedAt) {
      for (const g of gaps) {
        if (g.closedAt !== null) continue;
        const listed = open.filter((o) => overlaps(o, g));
        if (listed.length > 0) {
          g.backfill = listed.reduce<GapBackfillState>(
            (best, o) => (BACKFILL_RANK[o.backfill] > BACKFILL_RANK[best] ? o.backfill : best),
            'none',
          );
        } else if (g.openedAt < requestedAt) {
          // Asked after the gap was known and not listed: filled (the events, if any, were missed).
          g.closedAt = receivedAt;
        }
      }
      for (const o of open) {
        if (gaps.some((g) => overlaps(o, g) && (g.closedAt === null || g.closedAt >= requestedAt))) continue;
        const openedAt = o.ageSeconds === null ? requestedAt : receivedAt - o.ageSeconds * 1000;
        add(o.from, o.to, o.count, openedAt, 'poll').backfill = o.backfill;
      }
    },

    list(nowMs) {
      gaps = gaps.filter((g) => g.closedAt === null || nowMs - g.closedAt < lingerMs);
      const closed = gaps.filter((g) => g.closedAt !== null);
      if (closed.length > MAX_CLOSED) {
        const keep = new Set(
          closed.sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0)).slice(0, MAX_CLOSED),
        );
        gaps = gaps.filter((g) => g.closedAt === null || keep.has(g));
      }
      return [...gaps].sort((a, b) => b.openedAt - a.openedAt || comparePartitions(b.from, a.from));
    },
  };
}

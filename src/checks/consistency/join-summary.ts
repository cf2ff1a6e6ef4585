import type { SideRow } from './side-reader.js';

/** What a consistency check finds when parents and children are joined in process. */
export interface JoinSummary {
  parents: number;
  matched: number;
  /** Delay percentiles (nearest rank, as the SQL path computes them), ms; undefined with no delays. */
  p50: number | undefined;
  p95: number | undefined;
  max: number | undefined;
  late: number;
  /** The parents without a child, oldest first (then by key). */
  missing: SideRow[];
}

/**
 * The earliest time of each key among `children` (null when every row of the
 * key has no time): a parent's child is the first one that arrived.
 */
export function firstTimes(children: readonly SideRow[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const c of children) {
    const had = out.get(c.key);
    if (c.t === undefined) {
      if (had === undefined) out.set(c.key, null);
    } else if (had === undefined || had === null || c.t < had) out.set(c.key, c.t);
  }
  return out;
}

/** The smallest value with at least `q` percent of the values at or below it (`sorted` ascending). */
export function nearestRank(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(0, Math.ceil((q * sorted.length) / 100) - 1)];
}

/**
 * Joins parents to their children's first times: counts, the delay from each
 * parent's time to its first child's time (p50, p95, max, how many over
 * `lateAfterMs`), and the parents still waiting for a child. Pure.
 */
export function summarizeJoin(
  parents: readonly SideRow[],
  children: ReadonlyMap<string, number | null>,
  lateAfterMs: number,
): JoinSummary {
  const delays: number[] = [];
  const missing: SideRow[] = [];
  let matched = 0;
  for (const p of parents) {
    const child = children.get(p.key);
    if (child === undefined) {
      missing.push(p);
      continue;
    }
    matched++;
    if (child !== null && p.t !== undefined) delays.push(child - p.t);
  }
  delays.sort((a, b) => a - b);
  missing.sort((a, b) => (a.t ?? 0) - (b.t ?? 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    parents: parents.length,
    matched,
    p50: nearestRank(delays, 50),
    p95: nearestRank(delays, 95),
    max: delays.length > 0 ? delays[delays.length - 1] : undefined,
    late: delays.filter((d) => d > lateAfterMs).length,
    missing,
  };
}

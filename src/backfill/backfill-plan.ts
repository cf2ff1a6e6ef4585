import type { Range } from '../domain/range-set.js';
import type { DatasetRuntime } from '../ingest/dataset-runtime.js';
import { GapwardenError } from '../internal/errors.js';

/** Gaps a plan lists at most; `gapCount` and `partitions` count them all. */
export const PLAN_GAPS_LISTED = 1000;

/**
 * What a backfill would request: the open gaps within a range, as ranges and
 * counts, never as a list of partitions (a gap may hold billions).
 */
export interface BackfillPlan {
  dataset: string;
  /** The range asked for, as partition values; null = open-ended. */
  from: number | string | null;
  to: number | string | null;
  /** The first and last ordinal of the planned gaps; null when there is nothing to do. */
  fromOrdinal: number | null;
  toOrdinal: number | null;
  /** Partitions in the open gaps of the range. */
  partitions: number;
  /** How many of them a run queues at once (`backfill.maxQueued`); the rest as the queue drains. */
  queueNow: number;
  gapCount: number;
  /** The oldest PLAN_GAPS_LISTED gaps. */
  gaps: { from: number | string; to: number | string; count: number }[];
}

/**
 * Plans a backfill of the open gaps within `[from, to]` (raw partition values,
 * as a user types them: `3005`, `2026-11-01`). Pure: reads coverage only, and
 * its work grows with the number of gaps, never with their width.
 */
export function planBackfill(rt: DatasetRuntime, options: { from?: unknown; to?: unknown }): BackfillPlan {
  const p = rt.config.partitioning;
  const from = partitionBound(rt, options.from, 'from');
  const to = partitionBound(rt, options.to, 'to');
  if (from !== undefined && to !== undefined && from > to) {
    throw new GapwardenError(
      'RECORD_INVALID',
      `from ${String(options.from)} is after to ${String(options.to)}`,
    );
  }
  const gaps: Range[] = rt.coverage.gaps(from, to);
  let partitions = 0;
  for (const [a, b] of gaps) partitions += b - a + 1;
  return {
    dataset: rt.config.name,
    from: from === undefined ? null : p.valueOf(from),
    to: to === undefined ? null : p.valueOf(to),
    fromOrdinal: gaps[0]?.[0] ?? null,
    toOrdinal: gaps[gaps.length - 1]?.[1] ?? null,
    partitions,
    queueNow: Math.min(partitions, rt.config.backfill.maxQueued),
    gapCount: gaps.length,
    gaps: gaps
      .slice(0, PLAN_GAPS_LISTED)
      .map(([a, b]) => ({ from: p.valueOf(a), to: p.valueOf(b), count: b - a + 1 })),
  };
}

/**
 * The ordinal of a range bound as a user types it (`3005`, `2026-11-01`), or
 * undefined when absent; throws RECORD_INVALID naming the flag when it is not a
 * partition of the dataset.
 */
export function partitionBound(rt: DatasetRuntime, raw: unknown, which: string): number | undefined {
  const p = rt.config.partitioning;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const o = p.toOrdinal(
    typeof raw === 'string' && /^-?\d+$/.test(raw) && p.kind === 'sequence' ? Number(raw) : raw,
  );
  if (typeof o !== 'number') {
    throw new GapwardenError(
      'RECORD_INVALID',
      `${which} ${String(raw)} is not a partition of dataset "${rt.config.name}": ${o.error}`,
    );
  }
  return o;
}

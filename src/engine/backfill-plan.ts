import type { Range } from '../domain/range-set.js';
import { GapwardenError } from '../internal/errors.js';
import type { DatasetRuntime } from './dataset-runtime.js';

/** What a backfill would request: the open gaps within a range. */
export interface BackfillPlan {
  dataset: string;
  from: number | string | null;
  to: number | string | null;
  gaps: { from: number | string; to: number | string; count: number }[];
  ordinals: number[];
}

/**
 * Plans a backfill of the open gaps within `[from, to]` (raw partition values,
 * as a user types them: `3005`, `2026-11-01`). Pure: reads coverage only.
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
  const ordinals: number[] = [];
  for (const [a, b] of gaps) for (let n = a; n <= b; n++) ordinals.push(n);
  return {
    dataset: rt.config.name,
    from: from === undefined ? null : p.valueOf(from),
    to: to === undefined ? null : p.valueOf(to),
    gaps: gaps.map(([a, b]) => ({ from: p.valueOf(a), to: p.valueOf(b), count: b - a + 1 })),
    ordinals,
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

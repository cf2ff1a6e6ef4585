import type { Engine } from '../../engine/engine.js';
import type { BackfillRun } from '../../store/store.js';

/** A backfill run as the API answers it: its range as partition values beside the ordinals. */
export type BackfillRunView = BackfillRun & { from: number | string | null; to: number | string | null };

/**
 * Adds the partition values of a run's range (dates for calendars, numbers for
 * sequences), so no reader has to turn ordinals back into partitions. A run of a
 * dataset no longer configured keeps null: its partitioning is unknown.
 */
export function runWithValues(engine: Engine, run: BackfillRun): BackfillRunView {
  if (!engine.datasetNames().includes(run.dataset)) return { ...run, from: null, to: null };
  const p = engine.dataset(run.dataset).config.partitioning;
  return { ...run, from: p.valueOf(run.fromOrdinal), to: p.valueOf(run.toOrdinal) };
}

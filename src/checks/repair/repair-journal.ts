import type { ImageValue, RowImage } from './row-image.js';

/** The kinds of repair a check can have. */
export type RepairKind = 'sql' | 'http' | 'backfill' | 'function';

/** A run: `running` while batches go, `done` when every batch went, `failed` when one batch failed (it stopped there). */
export type RepairRunStatus = 'running' | 'done' | 'failed';
/** Undoing a run: `running` while it goes, `done` once undone (a second rollback is refused). */
export type RollbackStatus = 'running' | 'done' | 'failed';

/**
 * What happened to one finding: `repaired` (something changed), `unchanged`
 * (the action ran and changed nothing: already right), `fixed-meanwhile`
 * (re-verified just before the batch: no longer a finding, not touched),
 * `failed` (the action failed; its batch stopped the run).
 */
export type RepairOutcome = 'repaired' | 'unchanged' | 'fixed-meanwhile' | 'failed';
export const REPAIR_OUTCOMES: readonly RepairOutcome[] = [
  'repaired',
  'unchanged',
  'fixed-meanwhile',
  'failed',
];

/** What an action changed, kept so that it can be shown and undone. */
export type RepairChange =
  | {
      kind: 'sql';
      statement: string;
      params: ImageValue[];
      table: string;
      keyColumn: string;
      /** The rows of `table` for the key before the statement, and after it. */
      before: RowImage[];
      after: RowImage[];
    }
  | {
      kind: 'http';
      request: { method: string; url: string; body?: unknown };
      /** The finding's fields, for the undo call's placeholders. */
      finding: Record<string, unknown>;
      status: number | null;
      response: unknown;
    }
  | { kind: 'function'; result: unknown; finding: Record<string, unknown> }
  | { kind: 'backfill'; dataset: string; queued: unknown }
  | { kind: 'none' };

export interface RepairRunCounts {
  planned: number;
  repaired: number;
  unchanged: number;
  fixedMeanwhile: number;
  failed: number;
  batchesDone: number;
}

export interface NewRepairRun {
  check: string;
  kind: RepairKind;
  batchSize: number;
  max: number;
  keys: readonly string[] | null;
  planned: number;
  batches: number;
  actor: string;
  startedAt: number;
}

/** A journal entry: one run of a repair. Its id is the journal id `rollback` takes. */
export interface RepairRun extends RepairRunCounts {
  id: number;
  check: string;
  kind: RepairKind;
  status: RepairRunStatus;
  batchSize: number;
  max: number;
  keys: string[] | null;
  batches: number;
  actor: string;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
  rollbackStatus: RollbackStatus | null;
  rollbackAt: number | null;
  rollbackError: string | null;
}

export interface NewRepairAction {
  seq: number;
  batch: number;
  key: string;
  outcome: RepairOutcome;
  change: RepairChange;
  error: string | null;
  at: number;
}

/** One finding's action in a run. */
export interface RepairAction extends NewRepairAction {
  runId: number;
  rolledBackAt: number | null;
}

export const emptyCounts = (planned: number): RepairRunCounts => ({
  planned,
  repaired: 0,
  unchanged: 0,
  fixedMeanwhile: 0,
  failed: 0,
  batchesDone: 0,
});

/** Adds a batch's outcomes to the counts of its run. */
export function countOutcomes(counts: RepairRunCounts, actions: readonly NewRepairAction[]): RepairRunCounts {
  const next = { ...counts, batchesDone: counts.batchesDone + 1 };
  for (const a of actions) {
    if (a.outcome === 'repaired') next.repaired += 1;
    else if (a.outcome === 'unchanged') next.unchanged += 1;
    else if (a.outcome === 'fixed-meanwhile') next.fixedMeanwhile += 1;
    else next.failed += 1;
  }
  return next;
}

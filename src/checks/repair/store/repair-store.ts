import type {
  NewRepairAction,
  NewRepairRun,
  RepairAction,
  RepairRun,
  RepairRunCounts,
  RepairRunStatus,
} from '../repair-journal.js';

/** Which runs to list, newest first. */
export interface RepairRunQuery {
  check?: string | undefined;
  limit: number;
}

/** The outcome of asking to undo a run: claimed, or why not. */
export type RollbackClaim =
  | { claimed: true; run: RepairRun }
  | { claimed: false; run: RepairRun | undefined };

/**
 * The repair journal (store part `repairs`): every run, each action it took
 * and what that changed. A batch's actions and the run's counts are written
 * together, so the journal never shows actions its counts lack.
 */
export interface RepairStore {
  createRun(run: NewRepairRun): Promise<RepairRun>;
  /** Records one batch's actions and the run's counts after it. */
  recordBatch(runId: number, actions: readonly NewRepairAction[], counts: RepairRunCounts): Promise<void>;
  finishRun(
    runId: number,
    status: Exclude<RepairRunStatus, 'running'>,
    error: string | null,
    at: number,
  ): Promise<RepairRun>;
  getRun(id: number): Promise<RepairRun | undefined>;
  listRuns(query: RepairRunQuery): Promise<RepairRun[]>;
  /** A run's actions in order (`repairedOnly`: the ones a rollback undoes). */
  actions(runId: number, options?: { repairedOnly?: boolean }): Promise<RepairAction[]>;
  /**
   * Marks a finished run as being rolled back, unless it is already rolled
   * back or being rolled back (then `claimed: false`): two rollbacks of one
   * run never both proceed.
   */
  claimRollback(id: number, at: number): Promise<RollbackClaim>;
  /**
   * Marks one action undone while its run is rolled back one action at a time
   * (HTTP, function): a rollback retried after a failure skips it.
   */
  markActionUndone(runId: number, seq: number, at: number): Promise<void>;
  /**
   * Ends a claimed rollback: `done` (the run is undone; its repaired actions
   * marked), `failed` (a rollback error), or `refused` (nothing was undone:
   * the claim is released so it may be asked again once the rows are resolved).
   */
  finishRollback(
    id: number,
    outcome: 'done' | 'failed' | 'refused',
    error: string | null,
    at: number,
  ): Promise<RepairRun>;
}

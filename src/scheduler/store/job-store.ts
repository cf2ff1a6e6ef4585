/**
 * The persisted side of the scheduler: per-job state, run history and the
 * run leases that keep two gapwarden processes on one store from running the
 * same job for the same due time. The jobs module's part of the store
 * (`store.part(jobStorePart)`, see `job-store-part.ts`); every method is one
 * transaction. `test/job-store-contract.test.ts` runs on every adapter.
 */

import type { JobRunTrigger } from '../../config/job-function.js';

/** `running` while a holder's lease is live; the rest are final. */
export type JobRunState = 'running' | 'ok' | 'failed' | 'timeout' | 'skipped' | 'cancelled';

export interface JobRun {
  id: number;
  job: string;
  /** The due time this run is for (ms); for a manual run, when it was asked for. */
  dueAt: number;
  trigger: JobRunTrigger;
  state: JobRunState;
  /** 1 for the first holder; +1 each time another holder takes over an expired lease. */
  attempt: number;
  /** The process holding (or last holding) the lease, e.g. `host:pid:random`. */
  holder: string | null;
  leaseUntil: number | null;
  startedAt: number;
  finishedAt: number | null;
  error: string | null;
  /** Records the run stored or changed, when the work reports it. */
  records: number | null;
  /** Why a skipped run was skipped, or the parameters of a manual run. */
  detail: string | null;
}

export interface JobState {
  job: string;
  paused: boolean;
  /** The newest due time taken (run or skipped) by schedule or catch-up; catch-up starts after it. */
  lastDueAt: number | null;
}

export interface JobClaim {
  job: string;
  dueAt: number;
  trigger: JobRunTrigger;
  holder: string;
  nowMs: number;
  leaseMs: number;
  /** Refuse while another run of this job holds a live lease (no overlap). */
  exclusive: boolean;
  /** Refuse when the job is paused in the store (another process may have paused it). */
  checkPaused?: boolean;
  /**
   * When the run will start, for a run claimed ahead of its due time (the
   * runner claims a tick's runs before they fall due, so the transaction is
   * done by then): its `startedAt`, and the lease runs from it. @default nowMs
   */
  startsAt?: number;
  detail?: string;
}

/**
 * What a claim got: the run to execute, or why not — `done` (a run for this
 * due time exists and is finished or held), `overlap` (another run of the job
 * holds a live lease and the claim was exclusive), `paused` (the job is paused
 * in the store and the claim asked `checkPaused`).
 */
export type JobClaimResult = { run: JobRun } | { refused: 'done' | 'overlap' | 'paused'; by?: JobRun };

/** One due time not run, for {@link JobStore.recordSkippedRuns}. */
export interface JobSkip {
  job: string;
  dueAt: number;
  reason: string;
  nowMs: number;
}

/** One run to finish in {@link JobStore.finishJobRuns}. */
export interface JobRunFinish {
  runId: number;
  result: JobRunResult;
}

export interface JobRunResult {
  state: Exclude<JobRunState, 'running' | 'skipped'>;
  finishedAt: number;
  error?: string;
  records?: number;
}

export interface JobStore {
  /** Registers jobs (idempotent) and returns the state of every registered job. */
  ensureJobs(jobs: readonly string[], nowMs: number): Promise<JobState[]>;
  loadJobState(job: string): Promise<JobState | undefined>;
  /** Pauses or resumes; resuming moves `lastDueAt` to now, so the paused time is not caught up later. */
  setJobPaused(job: string, paused: boolean, nowMs: number): Promise<void>;
  /**
   * Takes the lease for (job, dueAt) in one transaction: inserts a running run;
   * or takes over a running one whose lease expired (attempt + 1). Schedule and
   * catch-up claims advance the job's `lastDueAt`.
   */
  claimJobRun(claim: JobClaim): Promise<JobClaimResult>;
  /**
   * Claims many scheduled, catch-up or takeover runs in ONE transaction (what a
   * runner's tick does): the pause state is read inside it, each claim is decided
   * as {@link claimJobRun} would in order (claims earlier in the batch count as
   * live for `exclusive`), and a (job, dueAt) is claimed exactly once across all
   * processes on the store. Manual claims go through {@link claimJobRun}.
   * Results are in the order of `claims`.
   */
  claimJobRuns(claims: readonly JobClaim[]): Promise<JobClaimResult[]>;
  /** Extends every listed lease this holder still holds, in one statement; returns the ids still held. */
  renewJobLeases(holder: string, runIds: readonly number[], leaseUntil: number): Promise<number[]>;
  /** Finishes many held runs in one transaction; per run, false when its lease was lost meanwhile. */
  finishJobRuns(holder: string, finishes: readonly JobRunFinish[]): Promise<boolean[]>;
  /** Extends a held lease; false when the lease was lost (expired and taken by another holder). */
  renewJobLease(runId: number, holder: string, leaseUntil: number): Promise<boolean>;
  /** Finishes a held run; false when the lease was lost meanwhile (the result is then not recorded). */
  finishJobRun(runId: number, holder: string, result: JobRunResult): Promise<boolean>;
  /** Gives a held lease up at shutdown so another process may take the run over at once. */
  releaseJobLease(runId: number, holder: string, nowMs: number): Promise<void>;
  /** Runs still `running` whose lease expired (their holder died): the runner claims them again. */
  findAbandonedJobRuns(nowMs: number, jobs: readonly string[]): Promise<JobRun[]>;
  /**
   * Every run of these jobs still `running`, live leases included: at start-up the runner
   * abandons those whose holder is provably gone (it exited) instead of waiting for the lease.
   */
  findRunningJobRuns(jobs: readonly string[]): Promise<JobRun[]>;
  /** Records a due time that was not run (overlap, paused, catch-up policy); advances `lastDueAt`. Idempotent per (job, dueAt). */
  recordSkippedRun(job: string, dueAt: number, reason: string, nowMs: number): Promise<void>;
  /** {@link recordSkippedRun} for many due times in one transaction. */
  recordSkippedRuns(skips: readonly JobSkip[]): Promise<void>;
  /** Newest first. */
  listJobRuns(job: string, options: { limit: number; beforeId?: number }): Promise<JobRun[]>;
  /** Deletes finished runs older than `beforeMs`, keeping the newest `keepPerJob` of each job. Returns how many went. */
  pruneJobRuns(beforeMs: number, keepPerJob: number): Promise<number>;
}

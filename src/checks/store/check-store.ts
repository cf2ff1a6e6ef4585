import type { CheckRun, CheckRunDraft, CheckTrendDay } from '../check-run.js';

/** The checks module's part of the store: every run of every check, and per-day trends. */
export interface CheckStore {
  /** Keeps a run; returns it with its id. */
  recordRun(run: CheckRunDraft): Promise<CheckRun>;
  getRun(id: number): Promise<CheckRun | undefined>;
  /** A check's runs, newest first; `beforeId` pages back. */
  listRuns(check: string, options: { limit: number; beforeId?: number }): Promise<CheckRun[]>;
  /** The newest run of each check that has one. */
  lastRuns(): Promise<CheckRun[]>;
  /** A check's days from `fromDay` to `toDay` (YYYY-MM-DD, both included) that have runs, oldest first. */
  trend(check: string, fromDay: string, toDay: string): Promise<CheckTrendDay[]>;
}

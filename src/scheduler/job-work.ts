import type { Engine } from '../engine/engine.js';
import type { JobRunTrigger } from '../store/job-store.js';

/** What a run's work receives. */
export interface JobContext {
  job: string;
  /** Fires on timeout, on shutdown after the grace period, or when the run's lease was lost. */
  signal: AbortSignal;
  /** The due time the run is for (ms); for a catch-up run, the missed due time it stands for. */
  dueAt: number;
  trigger: JobRunTrigger;
  /** `jobs run <id> --param k=v` parameters; empty for scheduled runs. */
  params: Readonly<Record<string, string>>;
  /** 1 for the first try of this run, 2 for its first retry, ... */
  attempt: number;
}

/** What a run's work may report; `records` shows in the run history. */
export interface JobWorkResult {
  records?: number;
}

/** A `function` job's work (TypeScript config or library mode). */
export type JobFunction = (
  context: JobContext & { engine: Engine },
  // biome-ignore lint/suspicious/noConfusingVoidType: a job function that returns nothing (`async () => {}`) is valid
) => Promise<JobWorkResult | void> | JobWorkResult | void;

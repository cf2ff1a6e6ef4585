import type { JobProblem } from '../config/alerts-schema.js';

/** An open gap as the rules see it. */
export interface GapFact {
  from: number | string;
  to: number | string;
  count: number;
  /** How long it has been open, when that can be told. */
  ageMs: number | null;
}

export interface SourceFact {
  name: string;
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  lastFailureAt: number | null;
  lastError: string | null;
}

/** What the engine knows about one dataset at one evaluation. */
export interface DatasetFacts {
  name: string;
  gaps: readonly GapFact[];
  /** Partitions missing in every open gap (the gaps listed may be only the first ones). */
  missing: number;
  lastInsertAt: number | null;
  sources: readonly SourceFact[];
  backfill: { pending: number; running: number; failed: number };
  /**
   * Collect runs seen by this process: failures in a row since the last
   * success; `observed` once a run was seen at all (only then does a zero
   * clear a collect-failure alert another process may have raised).
   */
  collect: { failuresInRow: number; since: number | null; lastError: string | null; observed: boolean };
}

/** What this process saw of one job's runs (from the event bus). */
export interface JobFacts {
  job: string;
  /** The newest problem since the last run that succeeded; null once one did. */
  problem: { state: JobProblem; at: number; error: string | null; missed: number | null } | null;
  /** The newest run that started late, until a run starts on time. */
  late: { lateMs: number; at: number } | null;
  /** Whether a run of the job was seen (only then does `problem: null` clear an alert). */
  observed: boolean;
}

/** The last run of one check this process saw (from `check:ran` events). */
export interface CheckFacts {
  check: string;
  status: 'healthy' | 'degraded' | 'unhealthy' | 'error';
  level: string | undefined;
  score: number | undefined;
  findings: number;
  error: string | undefined;
  /** When the current streak of runs with this status began. */
  since: number;
}

/** The last batch of one stream pipeline this process handed over (from `stream:batch` events). */
export interface StreamBatchFacts {
  pipeline: string;
  batchId: string;
  status: 'complete' | 'timed-out';
  /** Expected keys that arrived, 0..1. */
  availability: number;
  missingKeys: number;
  /** When the current streak of batches below the threshold began (the first such batch seen). */
  since: number;
}

export interface AlertFacts {
  nowMs: number;
  datasets: readonly DatasetFacts[];
  jobs: readonly JobFacts[];
  /** Checks whose runs this process saw. @default [] */
  checks?: readonly CheckFacts[];
  /** Stream pipelines whose batches this process handed over. @default [] */
  streams?: readonly StreamBatchFacts[];
}

import type { Logger } from '../internal/logger.js';

/** Filled partitions of one backfill run logged at info; the rest go to debug. */
export const FILLS_LOGGED_PER_RUN = 10;

/** Runs whose count is kept at most (runs finished by another process are never told to this one). */
const RUNS_TRACKED = 1000;

export interface FillLog {
  /** Logs one partition the backfill filled. */
  filled(line: {
    dataset: string;
    partition: number | string;
    source: string;
    ms: number;
    runId: number;
  }): void;
  /** Forgets a finished run. */
  runFinished(runId: number): void;
}

/**
 * The `gap filled` lines of the backfill: the usual gap of a few partitions
 * shows each one at info, while a backfill of thousands does not flood the
 * log: after the first `FILLS_LOGGED_PER_RUN` of a run its fills are logged
 * at debug, and the run's `backfill run finished` line (info) counts them all.
 */
export function createFillLog(logger: Logger): FillLog {
  const logged = new Map<number, number>();
  return {
    filled({ dataset, partition, source, ms, runId }) {
      const n = logged.get(runId) ?? 0;
      if (n === 0 && logged.size >= RUNS_TRACKED) logged.delete(logged.keys().next().value as number);
      logged.set(runId, n + 1);
      const line = { msg: 'gap filled', dataset, partition, by: 'backfill', source, ms, runId };
      if (n < FILLS_LOGGED_PER_RUN) logger.info(line);
      else logger.debug(line);
    },
    runFinished(runId) {
      logged.delete(runId);
    },
  };
}

import type { DatasetRuntime } from '../ingest/dataset-runtime.js';
import type { Clock } from '../internal/clock.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import type { BackfillItem, BackfillOutcome } from '../store/store.js';
import { createFillLog } from './fill-log.js';
import { backoffDelay } from './token-bucket.js';

/**
 * The outcome of one backfill item, announced (events, logs) the same way
 * whether the item was fetched alone or as part of a range. `quiet` leaves the
 * per-partition log line out where the caller logs the range once.
 */
export interface BackfillOutcomes {
  /** `ms`: fetching and storing it, waits for the rate limit left out. */
  filled(rt: DatasetRuntime, item: BackfillItem, source: string, ms: number): BackfillOutcome;
  /** Forgets a finished run's count of logged fills. */
  runFinished(runId: number): void;
  /** The source has not published that far yet: asked again after `retryMax`, attempts not used up. */
  deferred(rt: DatasetRuntime, item: BackfillItem, quiet?: boolean): BackfillOutcome;
  notFound(rt: DatasetRuntime, item: BackfillItem): BackfillOutcome;
  /** Retry with backoff (honouring a `retryAfterMs` hint) while attempts remain and `err` is retryable, else failed. */
  failure(rt: DatasetRuntime, item: BackfillItem, err: unknown, options?: FailureOptions): BackfillOutcome;
}

export interface FailureOptions {
  /** The delay to retry after (one draw for every partition of a range, so they come back together). */
  delayMs?: number;
  quiet?: boolean;
}

export function createBackfillOutcomes(deps: {
  clock: Clock;
  logger: Logger;
  events: EventBus;
  random: () => number;
  signal: AbortSignal;
}): BackfillOutcomes {
  const { clock, logger, events, random, signal } = deps;
  const fillLog = createFillLog(logger);
  return {
    filled(rt, item, source, ms) {
      const filled = {
        dataset: rt.config.name,
        partition: rt.config.partitioning.valueOf(item.ordinal),
        source,
        ms,
      };
      events.emit('backfill:filled', filled);
      fillLog.filled({ ...filled, runId: item.runId });
      return { kind: 'filled', source };
    },
    runFinished: (runId) => fillLog.runFinished(runId),
    deferred(rt, item, quiet = false) {
      const ds = rt.config;
      const partition = ds.partitioning.valueOf(item.ordinal);
      const reason = `not published upstream yet (the sources' newest partition is ${describeNewest(rt)})`;
      events.emit('backfill:deferred', { dataset: ds.name, partition, runId: item.runId });
      if (!quiet) logger.info({ msg: 'backfill deferred', dataset: ds.name, partition, reason });
      return { kind: 'defer', reason, nextAttemptAt: clock.now() + ds.backfill.retryMaxMs };
    },
    notFound(rt, item) {
      const ds = rt.config;
      const partition = ds.partitioning.valueOf(item.ordinal);
      events.emit('backfill:not-found', { dataset: ds.name, partition });
      logger.info({ msg: 'backfill not found upstream', dataset: ds.name, partition });
      return { kind: 'not_found' };
    },
    failure(rt, item, err, options = {}) {
      const ds = rt.config;
      const partition = ds.partitioning.valueOf(item.ordinal);
      const error = describeError(err);
      if (isRetryable(err) && item.attempts < ds.backfill.maxAttempts && !signal.aborted) {
        const delay = options.delayMs ?? retryDelay(rt, item.attempts, err, random);
        events.emit('backfill:retry', { dataset: ds.name, partition, attempt: item.attempts, error });
        if (!options.quiet)
          logger.warn({
            msg: 'backfill attempt failed',
            dataset: ds.name,
            partition,
            attempt: item.attempts,
            retryInMs: delay,
            error,
          });
        return { kind: 'retry', error, nextAttemptAt: clock.now() + delay };
      }
      events.emit('backfill:failed', { dataset: ds.name, partition, attempts: item.attempts, error });
      logger.error({ msg: 'backfill failed', dataset: ds.name, partition, attempts: item.attempts, error });
      return { kind: 'failed', error };
    },
  };
}

export function isRetryable(err: unknown): boolean {
  return !(err instanceof GapwardenError) || err.retryable;
}

/** Exponential backoff with jitter after `attempts`, or longer when the source said when to come back. */
export function retryDelay(rt: DatasetRuntime, attempts: number, err: unknown, random: () => number): number {
  const { retryInitialMs, retryMaxMs } = rt.config.backfill;
  const hinted = err instanceof GapwardenError ? Number(err.details.retryAfterMs ?? 0) : 0;
  return Math.max(hinted, backoffDelay(attempts, retryInitialMs, retryMaxMs, random));
}

function describeNewest(rt: DatasetRuntime): string {
  const newest = rt.coverage.sourceNewest;
  return newest === undefined ? 'unknown' : String(rt.config.partitioning.valueOf(newest));
}

import type { CompiledJob, CompiledScheduler } from '../config/compiled-config.js';
import type { JobContext, JobWorkResult } from '../config/job-function.js';
import type { Clock } from '../internal/clock.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import type { Redact } from '../internal/redactor.js';
import { retryDelay } from './retry-backoff.js';
import type { JobRun, JobRunResult, JobStore } from './store/job-store.js';

/** What running one claimed job run needs. */
export interface RunContext {
  store: JobStore;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  settings: CompiledScheduler;
  holder: string;
  /** Masks secrets in the error text a run keeps in the store and reports. */
  redact: Redact;
  work: (job: CompiledJob, ctx: JobContext) => Promise<JobWorkResult>;
  /** Runs in progress: the runner renews their leases together, shutdown cancels them and releases them. */
  live: Set<LiveRun>;
  /** Called once a run joined `live`, so the runner keeps its lease renewed. */
  keepLeases: () => void;
  /** Records a run's outcome (batched with the other runs finishing together); false when the lease was lost. */
  finish: (runId: number, result: JobRunResult) => Promise<boolean>;
}

/** A run in progress; the runner sets `leaseLost` (and aborts it) when a renewal finds the lease gone. */
export interface LiveRun {
  /** Cancels the work (its signal aborts with `reason`); the first call wins. */
  abort(reason: unknown): void;
  run: JobRun;
  leaseLost: boolean;
}

/**
 * A run's cancellation, its AbortSignal made only when the work asks for it:
 * a burst of thousands of starts whose work never looks at its signal should
 * not pay for an AbortController each (an EventTarget: the costliest part of a start).
 */
interface Cancellation {
  abort(reason: unknown): void;
  /** The abort reason, or undefined while not aborted. */
  readonly reason: unknown;
  readonly signal: AbortSignal;
}

function createCancellation(): Cancellation {
  let controller: AbortController | undefined;
  let aborted = false;
  let reason: unknown;
  return {
    abort(why) {
      if (aborted) return;
      aborted = true;
      reason = why;
      controller?.abort(why);
    },
    get reason() {
      return aborted ? reason : undefined;
    },
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (aborted) controller.abort(reason);
      }
      return controller.signal;
    },
  };
}

/**
 * Runs a run whose lease this process holds (the runner renews the leases of
 * all live runs together every third of the TTL; a lost lease cancels the
 * work), cancels the work at the job's
 * timeout, retries failures with backoff, then records the outcome (unless the
 * lease was lost: the new holder records it) and emits `job:started`/`job:finished`.
 */
export async function runClaimedJob(
  deps: RunContext,
  job: CompiledJob,
  run: JobRun,
  params: Record<string, string>,
): Promise<JobRun> {
  const { clock, logger, events, live, redact } = deps;
  const cancel = createCancellation();
  const entry: LiveRun = { abort: cancel.abort, run, leaseLost: false };
  live.add(entry);
  deps.keepLeases();
  const started = clock.now();
  const lateMs = Math.max(0, started - run.dueAt);
  events.emit('job:started', {
    job: job.id,
    dueAt: run.dueAt,
    trigger: run.trigger,
    lateMs,
    attempt: run.attempt,
  });
  // Per run at debug: at thousands of runs a second, a line per start would be most of the runner's
  // work (`job:started` events, the run records and the lateness metric say the same).
  logger.debug({
    msg: 'job started',
    job: job.id,
    dueAt: new Date(run.dueAt).toISOString(),
    trigger: run.trigger,
    lateMs,
  });
  const timeout = setTimeout(
    () =>
      cancel.abort(
        new GapwardenError('ABORTED', `timed out after ${job.timeoutMs} ms`, {
          details: { reason: 'timeout' },
        }),
      ),
    job.timeoutMs,
  );
  let result: JobRunResult;
  try {
    const work = await attempt(deps, job, run, params, cancel);
    result = {
      state: 'ok',
      finishedAt: clock.now(),
      ...(work.records === undefined ? {} : { records: work.records }),
    };
  } catch (err) {
    const aborted = cancel.reason !== undefined;
    const reason = (cancel.reason as GapwardenError | undefined)?.details?.reason;
    const state = !aborted ? 'failed' : reason === 'timeout' ? 'timeout' : 'cancelled';
    result = {
      state,
      finishedAt: clock.now(),
      error: redact(describeError(aborted ? cancel.reason : err)),
    };
  } finally {
    clearTimeout(timeout);
    live.delete(entry);
  }
  const recorded = entry.leaseLost ? false : await deps.finish(run.id, result);
  const ms = result.finishedAt - started;
  events.emit('job:finished', {
    job: job.id,
    dueAt: run.dueAt,
    trigger: run.trigger,
    state: result.state,
    ms,
    lateMs,
  });
  // A run that ended otherwise than ok is a warning; an ok one is a debug line, like its start.
  const line = { msg: 'job finished', job: job.id, state: result.state, ms, error: result.error, recorded };
  if (result.state === 'ok') logger.debug(line);
  else logger.warn(line);
  return {
    ...run,
    state: result.state,
    finishedAt: result.finishedAt,
    error: result.error ?? null,
    records: result.records ?? null,
  };
}

/** The work, tried again with backoff on failure (not on abort) up to the job's retry count. */
async function attempt(
  deps: RunContext,
  job: CompiledJob,
  run: JobRun,
  params: Record<string, string>,
  cancel: Cancellation,
): Promise<JobWorkResult> {
  for (let n = 1; ; n++) {
    try {
      // Not started once cancelled (a timeout or shutdown during the backoff).
      if (cancel.reason !== undefined) throw cancel.reason;
      return await deps.work(job, {
        job: job.id,
        get signal() {
          return cancel.signal;
        },
        dueAt: run.dueAt,
        trigger: run.trigger,
        params,
        attempt: n,
      });
    } catch (err) {
      if (cancel.reason !== undefined || n > job.retries.attempts) throw err;
      const delay = retryDelay(n, { initial: job.retries.initialMs, max: job.retries.maxMs }, Math.random());
      deps.logger.warn({
        msg: 'job attempt failed',
        job: job.id,
        attempt: n,
        retryInMs: delay,
        error: describeError(err),
      });
      await deps.clock.sleep(delay, cancel.signal);
    }
  }
}

import type { CompiledJob, CompiledScheduler } from '../config/compiled-config.js';
import type { Clock } from '../internal/clock.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import type { JobRun, JobRunResult, JobStore } from '../store/job-store.js';
import type { JobContext, JobWorkResult } from './job-work.js';
import { retryDelay } from './retry-backoff.js';

/** What running one claimed job run needs. */
export interface RunContext {
  store: JobStore;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  settings: CompiledScheduler;
  holder: string;
  work: (job: CompiledJob, ctx: JobContext) => Promise<JobWorkResult>;
  /** Runs in progress, so shutdown can cancel them and release their leases. */
  live: Set<{ controller: AbortController; run: JobRun }>;
}

/**
 * Runs a run whose lease this process holds: renews the lease every third of
 * its TTL (a lost lease cancels the work), cancels the work at the job's
 * timeout, retries failures with backoff, then records the outcome (unless the
 * lease was lost: the new holder records it) and emits `job:started`/`job:finished`.
 */
export async function runClaimedJob(
  deps: RunContext,
  job: CompiledJob,
  run: JobRun,
  params: Record<string, string>,
): Promise<JobRun> {
  const { store, clock, logger, events, settings, holder, live } = deps;
  const controller = new AbortController();
  const entry = { controller, run };
  live.add(entry);
  const started = clock.now();
  const lateMs = Math.max(0, started - run.dueAt);
  events.emit('job:started', {
    job: job.id,
    dueAt: run.dueAt,
    trigger: run.trigger,
    lateMs,
    attempt: run.attempt,
  });
  logger.info({
    msg: 'job started',
    job: job.id,
    dueAt: new Date(run.dueAt).toISOString(),
    trigger: run.trigger,
    lateMs,
  });
  const timeout = setTimeout(
    () =>
      controller.abort(
        new GapwardenError('ABORTED', `timed out after ${job.timeoutMs} ms`, {
          details: { reason: 'timeout' },
        }),
      ),
    job.timeoutMs,
  );
  let leaseLost = false;
  const renew = setInterval(
    () => {
      store
        .renewJobLease(run.id, holder, clock.now() + settings.leaseMs)
        .then((held) => {
          if (held) return;
          leaseLost = true;
          controller.abort(new GapwardenError('ABORTED', 'the run lease was lost to another process'));
        })
        .catch((err) =>
          logger.warn({ msg: 'job lease renewal failed', job: job.id, error: describeError(err) }),
        );
    },
    Math.max(50, settings.leaseMs / 3),
  );
  let result: JobRunResult;
  try {
    const work = await attempt(deps, job, run, params, controller.signal);
    result = {
      state: 'ok',
      finishedAt: clock.now(),
      ...(work.records === undefined ? {} : { records: work.records }),
    };
  } catch (err) {
    const reason = (controller.signal.reason as GapwardenError | undefined)?.details?.reason;
    const state = !controller.signal.aborted ? 'failed' : reason === 'timeout' ? 'timeout' : 'cancelled';
    result = {
      state,
      finishedAt: clock.now(),
      error: describeError(controller.signal.aborted ? controller.signal.reason : err),
    };
  } finally {
    clearTimeout(timeout);
    clearInterval(renew);
    live.delete(entry);
  }
  const recorded = leaseLost ? false : await store.finishJobRun(run.id, holder, result);
  const ms = result.finishedAt - started;
  events.emit('job:finished', {
    job: job.id,
    dueAt: run.dueAt,
    trigger: run.trigger,
    state: result.state,
    ms,
    lateMs,
  });
  const log = result.state === 'ok' ? logger.info.bind(logger) : logger.warn.bind(logger);
  log({ msg: 'job finished', job: job.id, state: result.state, ms, error: result.error, recorded });
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
  signal: AbortSignal,
): Promise<JobWorkResult> {
  for (let n = 1; ; n++) {
    try {
      return await deps.work(job, {
        job: job.id,
        signal,
        dueAt: run.dueAt,
        trigger: run.trigger,
        params,
        attempt: n,
      });
    } catch (err) {
      if (signal.aborted || n > job.retries.attempts) throw err;
      const delay = retryDelay(n, { initial: job.retries.initialMs, max: job.retries.maxMs }, Math.random());
      deps.logger.warn({
        msg: 'job attempt failed',
        job: job.id,
        attempt: n,
        retryInMs: delay,
        error: describeError(err),
      });
      await deps.clock.sleep(delay, signal);
    }
  }
}

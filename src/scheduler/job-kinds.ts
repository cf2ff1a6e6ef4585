import type { CompiledJob } from '../config/compiled-config.js';
import type { Engine } from '../engine/engine.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import type { JobContext, JobWorkResult } from './job-work.js';

/**
 * The work of each job kind, in terms of the engine. Each honours the run's
 * AbortSignal where the engine call can be cancelled, and checks it between steps.
 */
export async function runJobKind(engine: Engine, job: CompiledJob, ctx: JobContext): Promise<JobWorkResult> {
  ctx.signal.throwIfAborted();
  switch (job.kind) {
    case 'collect': {
      try {
        const result = await engine.collect(job.dataset!, { signal: ctx.signal });
        return { records: result.inserted + result.updated };
      } catch (err) {
        if (!ctx.signal.aborted)
          engine.events.emit('collect:failed', { dataset: job.dataset!, error: describeError(err) });
        throw err;
      }
    }
    case 'check': {
      const report = await engine.status();
      const checked = report.datasets.filter((d) => job.dataset === undefined || d.name === job.dataset);
      const unhealthy = checked.filter((d) => d.status === 'unhealthy');
      if (unhealthy.length > 0) {
        throw new GapwardenError(
          'CHECK_FAILED',
          `unhealthy: ${unhealthy.map((d) => `${d.name} (${d.reasons.join('; ')})`).join(', ')}`,
        );
      }
      return { records: 0 };
    }
    case 'backfill': {
      const plan = engine.planBackfill(job.dataset!);
      if (plan.ordinals.length === 0) return { records: 0 };
      const run = await engine.queueBackfill(job.dataset!, plan.ordinals, 'manual');
      const report = await waitAbortable(engine.waitForRun(run.id), ctx.signal);
      return { records: report.filled };
    }
    case 'reconcile': {
      const done = await engine.reconcile(job.dataset);
      return { records: done.reduce((n, d) => n + d.gaps, 0) };
    }
    case 'function': {
      const result = await job.run!({ ...ctx, engine });
      return result ?? {};
    }
  }
}

function waitAbortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

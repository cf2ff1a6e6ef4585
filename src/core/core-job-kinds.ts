import { describeError, GapwardenError } from '../internal/errors.js';
import type { Core } from './core.js';
import { dataCatchUpDue } from './data-catch-up.js';
import type { JobKindDefinition } from './job-kinds.js';

/**
 * The core loop's job kinds, in terms of the core; registered with the
 * scheduler the same way a module registers its own. Each honours the run's
 * AbortSignal where the core call can be cancelled, and checks it between steps.
 */
export function coreJobKinds(core: Core): JobKindDefinition[] {
  return [
    {
      kind: 'collect',
      async run(job, ctx) {
        try {
          const result = await core.collect(job.dataset!, {
            signal: ctx.signal,
            ...(job.source === undefined ? {} : { source: job.source }),
          });
          return { records: result.inserted + result.updated };
        } catch (err) {
          if (!ctx.signal.aborted)
            core.events.emit('collect:failed', { dataset: job.dataset!, error: describeError(err) });
          throw err;
        }
      },
      dataCatchUp: (job, nowMs) => dataCatchUpDue(core, job, nowMs),
    },
    {
      kind: 'check',
      async run(job) {
        const report = await core.status();
        const checked = report.datasets.filter((d) => job.dataset === undefined || d.name === job.dataset);
        const unhealthy = checked.filter((d) => d.status === 'unhealthy');
        if (unhealthy.length > 0) {
          throw new GapwardenError(
            'CHECK_FAILED',
            `unhealthy: ${unhealthy.map((d) => `${d.name} (${d.reasons.join('; ')})`).join(', ')}`,
          );
        }
        return { records: 0 };
      },
    },
    {
      kind: 'backfill',
      async run(job, ctx) {
        const plan = core.planBackfill(job.dataset!);
        if (plan.partitions === 0) return { records: 0 };
        const run = await core.queueBackfill(job.dataset!, plan, 'manual');
        const report = await waitAbortable(core.waitForRun(run.id), ctx.signal);
        return { records: report.filled };
      },
    },
    {
      kind: 'reconcile',
      async run(job) {
        const done = await core.reconcile(job.dataset);
        return { records: done.reduce((n, d) => n + d.gaps, 0) };
      },
    },
  ];
}

function waitAbortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

import type { CompiledJob } from '../config/compiled-config.js';
import type { JobContext, JobWorkResult } from '../config/job-function.js';
import type { JobKindRegistry } from '../core/job-kinds.js';
import type { ModuleContext, ModuleStartOptions } from '../core/module.js';
import { GapwardenError } from '../internal/errors.js';
import { createJobRunner, type JobRunner } from './job-runner.js';
import type { JobStore } from './store/job-store.js';
import { jobStorePart } from './store/job-store-part.js';

/** The jobs module in one engine: its store part and its runner. */
export interface Jobs {
  /** The jobs module's part of the store. */
  readonly store: JobStore;
  /** The job runner: created on first use (list, trigger, pause, resume, history), a new one after `stop()`. */
  runner(): JobRunner;
  /** Starts the schedule when the engine runs scheduled work (`collect`); once. */
  start(options: ModuleStartOptions): Promise<void>;
  /** Stops the schedule (runs in progress get the shutdown grace); backfill goes on. */
  stop(): Promise<void>;
  /** Per job, the runs found missed while down at each start of this engine (the metrics read it). */
  missedRuns(): ReadonlyMap<string, number>;
}

/**
 * Creates the jobs module's runtime. The job store part is registered here,
 * so the engine's `open()` migrates it with the core; each run's work is
 * found by its kind in the engine's job-kind registry, whoever defined it.
 */
export function createJobs(ctx: ModuleContext): Jobs {
  const store = ctx.store.part(jobStorePart);
  let runner: JobRunner | undefined;
  let started = false;
  // Kept from the engine's creation on: the runner reports misses at start, before `serve` makes its metrics.
  const missed = new Map<string, number>();
  ctx.events.on('job:missed', (e) => missed.set(e.job, (missed.get(e.job) ?? 0) + e.missed));
  const jobs: Jobs = {
    store,
    runner() {
      runner ??= createJobRunner({
        jobs: ctx.config.jobs,
        store,
        clock: ctx.clock,
        logger: ctx.logger,
        events: ctx.events,
        settings: ctx.config.scheduler,
        redact: ctx.redact,
        work: (job, runCtx) => runJobKind(ctx.jobKinds, job, runCtx),
        dataCatchUp: async (job, nowMs) => ctx.jobKinds.get(job.kind)?.dataCatchUp?.(job, nowMs),
      });
      return runner;
    },
    async start(options) {
      if (!options.collect || started) return;
      started = true;
      await jobs.runner().start();
    },
    async stop() {
      if (started) await runner?.stop();
      started = false;
      runner = undefined;
    },
    missedRuns: () => missed,
  };
  return jobs;
}

/** One run's work: the definition of the job's kind does it. */
async function runJobKind(
  registry: JobKindRegistry,
  job: CompiledJob,
  ctx: JobContext,
): Promise<JobWorkResult> {
  const kind = registry.get(job.kind);
  if (!kind) throw new GapwardenError('JOB_UNKNOWN', `no job kind "${job.kind}" (job "${job.id}")`);
  return kind.run(job, ctx);
}

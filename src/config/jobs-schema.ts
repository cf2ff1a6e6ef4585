import { z } from 'zod';
import type { JobFunction } from '../scheduler/job-work.js';
import { scheduleSpecSchema } from '../scheduler/schedule-spec.js';

const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration such as "500ms", "30s", "5m", "2h" or "1d"'),
]);

export const JOB_KINDS = ['collect', 'check', 'backfill', 'reconcile', 'function'] as const;

/**
 * One scheduled job. Datasets with `collect` get a `collect:<dataset>` job
 * without writing one here; a job listed here with that id overrides it.
 */
export const jobSchema = z
  .object({
    /**
     * What a run does: `collect` calls the dataset's latest request through its
     * failover chain of sources; `check` evaluates dataset health (fails when one is unhealthy);
     * `backfill` queues every open gap of `dataset`; `reconcile` rebuilds coverage from the
     * store; `function` calls `run` (TypeScript config or library mode only).
     */
    kind: z.enum(JOB_KINDS),
    /** The dataset it works on; `check` without one checks every dataset. */
    dataset: z.string().optional(),
    description: z.string().optional(),
    /** When it runs: a rule or a list of rules (cron in a time zone, `every`, `between` windows, jitter). */
    schedule: scheduleSpecSchema,
    /** Runs missed while gapwarden was down: none, one now, or each of them. @default 'once' */
    catchUp: z.enum(['skip', 'once', 'all']).optional(),
    /** With `catchUp: 'all'`, at most this many missed runs (the most recent). @default 100 */
    maxCatchUp: z.number().int().min(1).max(100_000).optional(),
    /** A run due while the previous one still runs: skip it (recorded), or run it right after. @default 'skip' */
    overlap: z.enum(['skip', 'queue']).optional(),
    /** A run still going after this is cancelled (its AbortSignal fires) and recorded as `timeout`. @default '5m' */
    timeout: duration.optional(),
    /** Failed runs are tried again within the same run, with exponential backoff. */
    retries: z
      .object({
        /** Extra attempts after the first. @default 0 */
        attempts: z.number().int().min(0).max(100).optional(),
        /** @default '1s' */
        initial: duration.optional(),
        /** @default '1m' */
        max: duration.optional(),
      })
      .strict()
      .optional(),
    /** Stops the job from starting runs until resumed (`gapwarden jobs resume`); the stored flag wins once set. @default false */
    paused: z.boolean().optional(),
    /** `function` only: the work; gets `{ signal, dueAt, trigger, params, engine }`. */
    run: z
      .custom<JobFunction>((v) => typeof v === 'function', 'a function (only in a TypeScript config)')
      .optional(),
  })
  .strict();

export const schedulerSchema = z
  .object({
    /** How long a run's lease lasts without renewal; another process takes a run over after this. @default '30s' */
    leaseTtl: duration.optional(),
    /** Finished runs older than this are deleted from the history. @default '30d' */
    historyRetention: duration.optional(),
    /** Runs kept per job whatever their age. @default 100 */
    keepRuns: z.number().int().min(1).optional(),
    /** On SIGTERM, how long running runs may finish before they are cancelled. @default '30s' */
    shutdownGrace: duration.optional(),
  })
  .strict();

export const jobIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_:.-]{0,62}$/i, 'letters, digits, _ : . or -');

export type JobConfig = z.input<typeof jobSchema>;

import { z } from 'zod';
import { scheduleSpecSchema } from '../domain/schedule/schedule-spec.js';
import type { JobFunction } from './job-function.js';

const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration such as "500ms", "30s", "5m", "2h" or "1d"'),
]);

/** The kinds the core and the engine define; a module may define more (`GapwardenModule.jobKinds`). */
export const JOB_KINDS = ['collect', 'check', 'backfill', 'reconcile', 'function'] as const;

/**
 * A job's kind: one the core defines (`collect`, `check`, `backfill`,
 * `reconcile`), `function`, or one a module defines (any other name;
 * `string & {}` keeps the built-in names as completions).
 */
export type JobKind = (typeof JOB_KINDS)[number] | (string & {});

/**
 * A job's kind in the config: a built-in one, or one a module defines. Only its shape is
 * checked here (modules are not known when a config is loaded); the engine
 * refuses a kind nothing defines, naming the field, when it is created.
 */
const jobKindSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,62}$/,
    `a job kind: ${JOB_KINDS.join(', ')}, or one a module defines (lower-case letters, digits and -)`,
  ) as unknown as z.ZodType<JobKind, JobKind>;

/**
 * One scheduled job. Datasets with `collect` get a `collect:<dataset>` job
 * without writing one here; a job listed here with that id overrides it.
 */
export const jobSchema = z
  .object({
    /**
     * What a run does: `collect` calls the dataset's latest request through its
     * failover chain of sources (or the one `source` named); `check` evaluates dataset health (fails when one is unhealthy);
     * `backfill` queues every open gap of `dataset`; `reconcile` rebuilds coverage from the
     * store; `function` calls `run` (TypeScript config or library mode only). Modules add
     * kinds of their own.
     */
    kind: jobKindSchema,
    /** The dataset it works on; `check` without one checks every dataset. */
    dataset: z.string().optional(),
    /**
     * `collect` only: the one source of the dataset (by name) to call, alone: no failover
     * to the others, and its failures name it. @default every source, in order, with failover
     */
    source: z.string().optional(),
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

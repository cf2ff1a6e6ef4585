import type { CompiledJob } from '../config/compiled-config.js';
import type { JobContext, JobWorkResult } from '../config/job-function.js';
import { ConfigError, GapwardenError } from '../internal/errors.js';

/**
 * What a job of one `kind` does. The core defines `collect`, `check`,
 * `backfill` and `reconcile` (`core-job-kinds.ts`), the engine `function`;
 * a module adds its own through `GapwardenModule.jobKinds`.
 */
export interface JobKindDefinition {
  /** The `kind` a job names in the config, e.g. `collect`. Unique across the core and every module. */
  readonly kind: string;
  /**
   * Does one run's work; throws on failure (the scheduler retries and records it).
   * Honours `ctx.signal` where the work can be cancelled and checks it between steps.
   */
  run(job: CompiledJob, ctx: JobContext): Promise<JobWorkResult>;
  /**
   * The data-aware catch-up at start: a due time to run the job for now, when
   * its data is behind its schedule; undefined otherwise.
   */
  dataCatchUp?(job: CompiledJob, nowMs: number): number | undefined;
}

/** Every job kind the engine knows, whoever defined it; the scheduler runs jobs through it. */
export interface JobKindRegistry {
  get(kind: string): JobKindDefinition | undefined;
  /** The kinds registered, in registration order. */
  kinds(): string[];
}

/** A registry the engine fills once, before anything starts. */
export function createJobKindRegistry(): JobKindRegistry & { add(defs: readonly JobKindDefinition[]): void } {
  const byKind = new Map<string, JobKindDefinition>();
  return {
    get: (kind) => byKind.get(kind),
    kinds: () => [...byKind.keys()],
    add(defs) {
      for (const def of defs) {
        if (byKind.has(def.kind)) {
          throw new GapwardenError('CONFIG_INVALID', `two modules define the job kind "${def.kind}"`);
        }
        byKind.set(def.kind, def);
      }
    },
  };
}

/** Throws a ConfigError naming every configured job whose kind nothing registered. */
export function assertJobKindsKnown(jobs: readonly CompiledJob[], registry: JobKindRegistry): void {
  const known = registry.kinds();
  const issues = jobs
    .filter((job) => registry.get(job.kind) === undefined)
    .map((job) => ({
      path: `jobs.${job.id}.kind`,
      expected: `one of ${known.map((k) => JSON.stringify(k)).join(', ')}`,
      found: JSON.stringify(job.kind),
      message: 'no job kind of that name (the core and the modules in use define the kinds)',
    }));
  if (issues.length > 0) throw new ConfigError(issues);
}

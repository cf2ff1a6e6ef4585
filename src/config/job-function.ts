/**
 * What a job's work receives and returns, and the signature of a `function`
 * job. Here, in the config layer, because `defineConfig` types `run` with it;
 * the scheduler and the engine, both higher, use it from here.
 */

/** Why a run exists: its schedule came due, a catch-up after downtime, a person asked, ... */
export type JobRunTrigger = 'schedule' | 'catch-up' | 'manual';

/** What a run's work receives. */
export interface JobContext {
  job: string;
  /** Fires on timeout, on shutdown after the grace period, or when the run's lease was lost. */
  signal: AbortSignal;
  /** The due time the run is for (ms); for a catch-up run, the missed due time it stands for. */
  dueAt: number;
  trigger: JobRunTrigger;
  /** `jobs run <id> --param k=v` parameters; empty for scheduled runs. */
  params: Readonly<Record<string, string>>;
  /** 1 for the first try of this run, 2 for its first retry, ... */
  attempt: number;
}

/** What a run's work may report; `records` shows in the run history. */
export interface JobWorkResult {
  records?: number;
}

/**
 * The engine a `function` job receives. Declared empty here, because the
 * config layer may not import the engine (it is the highest layer but two);
 * `engine/engine.ts` fills it in by declaration merging
 * (`interface JobFunctionEngine extends Engine {}`), so users of
 * `defineConfig` get `engine` typed as the Engine. It is the registry pattern
 * TypeScript libraries use for types a lower package cannot name (Hono's
 * `ContextVariableMap`, Vue's `ComponentCustomProperties`).
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by declaration merging (engine/engine.ts)
export interface JobFunctionEngine {}

/** A `function` job's work (TypeScript config or library mode). */
export type JobFunction = (
  context: JobContext & { engine: JobFunctionEngine },
  // biome-ignore lint/suspicious/noConfusingVoidType: a job function that returns nothing (`async () => {}`) is valid
) => Promise<JobWorkResult | void> | JobWorkResult | void;

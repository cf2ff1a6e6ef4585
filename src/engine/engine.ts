import type { CompiledConfig } from '../config/compiled-config.js';
import { type Core, type CoreStartOptions, createCore } from '../core/core.js';
import { coreJobKinds } from '../core/core-job-kinds.js';
import { assertJobKindsKnown, createJobKindRegistry, type JobKindDefinition } from '../core/job-kinds.js';
import type { AnyModule, GapwardenModule, ModuleContext } from '../core/module.js';
import { type Clock, systemClock } from '../internal/clock.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import { createEventBus, type EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import { redactingLogger } from '../internal/redacting-logger.js';
import { createRedactor } from '../internal/redactor.js';
import { createLogger } from '../logging/json-logger.js';
import type { JobRunner } from '../scheduler/job-runner.js';
import { jobsModule } from '../scheduler/jobs-module.js';
import { createStoreFromConfig } from '../store/create-store.js';
import type { Store } from '../store/store.js';
import { BUILT_IN_MODULES } from './built-in-modules.js';

export type { BackfillReport } from '../core/core.js';

// A `function` job's `engine` is this Engine: the config layer declares the slot, the engine fills it.
declare module '../config/job-function.js' {
  interface JobFunctionEngine extends Engine {}
}

export interface EngineOptions {
  config: CompiledConfig;
  /** @default the SQLite or PostgreSQL store `config.store` names */
  store?: Store;
  /** @default the system clock */
  clock?: Clock;
  /** @default a JSON logger at `config.log.level` */
  logger?: Logger;
  events?: EventBus;
  /** For tests and embedding: the fetch HTTP sources use. */
  fetch?: typeof fetch;
  /** Backfill poll interval when nothing wakes it. @default 500 */
  pollMs?: number;
  /**
   * The modules to compose, in start order (stopped in reverse).
   * @default BUILT_IN_MODULES (the jobs module)
   */
  modules?: readonly AnyModule[];
}

/** What `start` starts. */
export interface EngineStartOptions extends CoreStartOptions {
  /** Run the scheduled jobs (collectors included) in this process. @default false */
  collect?: boolean;
}

/**
 * The gapwarden engine: the core loop (datasets, ingest, coverage, backfill)
 * over one store, composed with the modules (the scheduled jobs, ...).
 */
export interface Engine extends Core {
  /** Opens, queues backfills for open gaps, starts the backfill worker and the modules (scheduled jobs with `collect`). */
  start(options?: EngineStartOptions): Promise<void>;
  /** Stops the modules (the scheduled jobs, collectors included); backfill goes on. */
  stopCollectors(): Promise<void>;
  /** Stops the modules and the backfill worker (letting requests in flight settle) and closes the store. */
  stop(): Promise<void>;
  /** The job scheduler: list, trigger, pause and resume jobs (started by `start({ collect: true })`). */
  jobs(): JobRunner;
  /** The modules composed, in start order. */
  modules(): readonly AnyModule[];
  /** A module's instance (what its `create` returned); NOT_FOUND when the module is not composed. */
  module<T>(def: GapwardenModule<T>): T;
  /** What the modules were created with; the server and the CLI hand it to their contributions. */
  readonly moduleContext: ModuleContext;
}

/**
 * Creates an engine: the core, then each module, then the job kinds of
 * both (and `function`) in one registry. Nothing runs until `open()` or
 * `start()`. A configured job of a kind nobody defines is a ConfigError here.
 */
export function createEngine(options: EngineOptions): Engine {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  // Secrets are masked at these choke points: every log line, every error a source throws (see
  // redactingSource), and where error text to be stored is made (the core, the modules).
  const redact = createRedactor(config.secrets);
  const logger = redactingLogger(options.logger ?? createLogger(config.log.level), redact);
  const events =
    options.events ??
    createEventBus((err) => logger.error({ msg: 'event listener failed', error: describeError(err) }));
  const store = options.store ?? createStoreFromConfig(config.store, { clock, logger });
  const core = createCore({
    config,
    store,
    clock,
    logger,
    events,
    redact,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
  });
  const jobKinds = createJobKindRegistry();
  const moduleContext: ModuleContext = { config, store, clock, logger, events, redact, core, jobKinds };
  const defs = options.modules ?? BUILT_IN_MODULES;
  const names = new Set<string>();
  for (const def of defs) {
    if (names.has(def.name))
      throw new GapwardenError('CONFIG_INVALID', `two modules are named "${def.name}"`);
    names.add(def.name);
  }
  // Created before open(): a module registers its store part now, so open() migrates it.
  const instances = new Map(defs.map((def) => [def, def.create(moduleContext)]));

  const engine: Engine = {
    ...core,
    moduleContext,
    async start(opts = {}) {
      await core.start(opts);
      for (const [def, instance] of instances)
        await def.start?.(instance, { collect: opts.collect === true });
    },
    async stopCollectors() {
      for (const [def, instance] of [...instances].reverse()) await def.stop?.(instance);
    },
    async stop() {
      await engine.stopCollectors();
      await core.stop();
    },
    jobs: () => engine.module(jobsModule).runner(),
    modules: () => [...instances.keys()],
    module<T>(def: GapwardenModule<T>): T {
      const instance = instances.get(def);
      if (instance === undefined) {
        throw new GapwardenError(
          'NOT_FOUND',
          `the module "${def.name}" is not part of this engine (modules: ${[...names].join(', ') || 'none'})`,
        );
      }
      return instance as T;
    },
  };

  try {
    jobKinds.add(coreJobKinds(core));
    for (const [def, instance] of instances) jobKinds.add(def.jobKinds?.(moduleContext, instance) ?? []);
    jobKinds.add([functionJobKind(engine)]);
    assertJobKindsKnown(config.jobs, jobKinds);
  } catch (err) {
    // The caller never gets the engine to stop: close the store this call opened.
    if (!options.store) void store.close().catch(() => {});
    throw err;
  }
  return engine;
}

/** `function` jobs call their `run` with the whole engine: only the composition root has it. */
function functionJobKind(engine: Engine): JobKindDefinition {
  return {
    kind: 'function',
    async run(job, ctx) {
      const result = await job.run!({ ...ctx, engine });
      return result ?? {};
    },
  };
}

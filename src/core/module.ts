import type { Command } from 'commander';
import type { Registry } from 'prom-client';
import type { CompiledConfig } from '../config/compiled-config.js';
import type { AnyRoute } from '../http/api-route.js';
import type { Clock } from '../internal/clock.js';
import type { EventBus } from '../internal/events.js';
import type { Logger, LogLevel } from '../internal/logger.js';
import type { Redact } from '../internal/redactor.js';
import type { SqliteCreatePolicy } from '../store/sqlite/sqlite-store-file.js';
import type { Store } from '../store/store.js';
import type { Core, CoreStartOptions } from './core.js';
import type { JobKindDefinition, JobKindRegistry } from './job-kinds.js';

/**
 * A capability beyond the core loop (jobs today; alerts, checks and repairs,
 * stream pipelines, rollups and archive next): one folder with its pure
 * core, its part of the store (`StorePart`), and what it contributes to the
 * surfaces. The engine creates it, collects its contributions and starts and
 * stops it; nothing of the engine, the server or the CLI is edited to add
 * one. Modules never import each other: they talk through the event bus and
 * the store. docs/architecture.md, "How to add a capability", walks through
 * the jobs module (`scheduler/jobs-module.ts`).
 *
 * @example
 * export const alertsModule: GapwardenModule<Alerts> = {
 *   name: 'alerts',
 *   create: (ctx) => createAlerts(ctx),
 *   start: (alerts) => alerts.start(),
 *   stop: (alerts) => alerts.stop(),
 *   routes: (ctx, alerts) => alertRoutes(alerts),
 *   dashboard: { path: '/alerts', title: 'Alerts' },
 * };
 */
export interface GapwardenModule<TInstance = unknown> {
  /** Unique among modules; names its dashboard page and its entry in `GET /api/modules`, e.g. `jobs`. */
  readonly name: string;
  /**
   * The module's runtime, created once per engine before anything starts:
   * register its store part here (`ctx.store.part(...)`) so that `open()`
   * migrates it. Must not start work: that is `start`.
   */
  create(ctx: ModuleContext): TInstance;
  /** Starts what the module runs (after the core opened and started). */
  start?(instance: TInstance, options: ModuleStartOptions): Promise<void>;
  /** Stops it, letting work in progress finish or cancelling it; called before the core stops. */
  stop?(instance: TInstance): Promise<void>;
  /** The job kinds it defines: jobs of these kinds in the config run its work. */
  jobKinds?(ctx: ModuleContext, instance: TInstance): readonly JobKindDefinition[];
  /** Its HTTP routes, declared with the `http/` kit (`defineRoute`); listed in `/openapi.json`. */
  routes?(ctx: ModuleContext, instance: TInstance): readonly AnyRoute[];
  /** Registers its Prometheus metrics on the engine's registry; returns what detaches them. */
  metrics?(registry: Registry, ctx: ModuleContext, instance: TInstance): () => void;
  /** Adds its CLI verbs; `kit` opens an engine from the config flags and prints like every verb. */
  cli?(program: Command, kit: CliKit<TInstance>): void;
  /** The page it adds to the dashboard's navigation. */
  readonly dashboard?: DashboardPage;
}

/**
 * A module of any instance type, for lists of modules. Each module's
 * instance is typed by its own definition; the list only needs the shape.
 */
// biome-ignore lint/suspicious/noExplicitAny: instance types vary per module; `unknown` would reject every typed module
export type AnyModule = GapwardenModule<any>;

/** What every module is created with, and what its contributions receive. */
export interface ModuleContext {
  readonly config: CompiledConfig;
  /** The core store; a module keeps its own data in a part of it (`store.part(def)`). */
  readonly store: Store;
  readonly clock: Clock;
  /** Masks secrets in every line. */
  readonly logger: Logger;
  /** The typed lifecycle events every module, the metrics and the dashboard share. */
  readonly events: EventBus;
  /** Masks secrets in text a module stores or shows (error text, above all). */
  readonly redact: Redact;
  /** The core loop: datasets, ingest, gaps, backfill, status. */
  readonly core: Core;
  /** Every job kind, the core's and every module's; complete before anything starts. */
  readonly jobKinds: JobKindRegistry;
}

/** What a module's `start` is told about the engine's start. */
export interface ModuleStartOptions {
  /** Whether scheduled work runs in this process: true for `serve`, false for a one-off CLI verb. */
  readonly collect: boolean;
}

/** A page of the dashboard, listed in its navigation (from `GET /api/modules`). */
export interface DashboardPage {
  /** Its route in the dashboard, e.g. `/jobs` (shown as `#/jobs`). */
  readonly path: string;
  /** Its link text, e.g. `Jobs`. */
  readonly title: string;
}

/** The options every verb that reads a config takes. */
export interface CliConfigFlags {
  config?: string;
  dir?: string;
  json?: boolean;
}

/** What a module's CLI verbs are built with (implemented in `cli/cli-kit.ts`). */
export interface CliKit<TInstance> {
  /** Adds `-c/--config`, `-d/--dir` and `--json` to a command. */
  withConfigOptions(command: Command): Command;
  /**
   * Loads the config, creates the engine with every module and opens the
   * store; `close()` stops it again. `createStore: 'never'` for verbs that
   * only read (a missing SQLite store is reported, not created).
   */
  open(
    flags: CliConfigFlags,
    options?: { createStore?: SqliteCreatePolicy; logLevel?: LogLevel },
  ): Promise<CliSession<TInstance>>;
  /** Writes a value as pretty JSON to stdout. */
  printJson(value: unknown): void;
  /**
   * Runs a verb: maps errors to a message on stderr (a JSON error on stdout
   * with `--json`) and to an exit code from the error's code; the action
   * returns the exit code.
   */
  runVerb(flags: { json?: boolean }, action: () => Promise<number | undefined>): Promise<void>;
}

/** An engine opened for one CLI verb. */
export interface CliSession<TInstance> {
  readonly ctx: ModuleContext;
  /** The module's instance in this engine. */
  readonly instance: TInstance;
  /** Starts the core (the backfill worker by default) and the modules, without scheduled work. */
  start(options?: CoreStartOptions): Promise<void>;
  /** Stops the engine and closes the store. */
  close(): Promise<void>;
}

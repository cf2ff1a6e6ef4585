import { hostname } from 'node:os';
import type { CompiledStreamPipeline } from '../config/compiled-streams.js';
import type { ModuleContext, ModuleStartOptions } from '../core/module.js';
import { ConfigError, describeError } from '../internal/errors.js';
import { createStreamClient } from './clients/create-stream-client.js';
import type { StreamClient } from './clients/stream-client.js';
import { checkPipelineDefinition } from './pipeline/pipeline.js';
import {
  createPipelineRunner,
  type PipelineRunner,
  type PipelineRunnerStatus,
} from './runner/pipeline-runner.js';
import { createSinkWriter } from './runner/stream-sinks.js';
import { toPipelineDefinition } from './runner/to-definition.js';
import type { StoredBatchReport, StreamMinute, StreamStore } from './store/stream-store.js';
import { streamStorePart } from './store/stream-store-part.js';
import { type PipelineSummary, summarisePipelines } from './stream-summary.js';

export interface Streams {
  readonly store: StreamStore;
  /** Connects the clients and runs every pipeline (only where `collect`: `serve`, not a CLI verb). */
  start(options: ModuleStartOptions): Promise<void>;
  /** Finishes the work in hand, commits it and disconnects (SIGTERM). */
  stop(): Promise<void>;
  /** Runs the pipelines in this process even without `collect` (the `streams run` verb, tests). */
  run(): Promise<void>;
  summary(): Promise<PipelineSummary[]>;
  batches(pipeline: string | undefined, limit: number): Promise<StoredBatchReport[]>;
  activity(pipeline: string | undefined, since: number): Promise<StreamMinute[]>;
  /** This process's runners' live state. */
  live(): PipelineRunnerStatus[];
  /** Commits every running pipeline now. */
  commit(): Promise<void>;
  /** Names of the configured pipelines. */
  readonly pipelines: readonly string[];
}

export interface StreamsOptions {
  /** This process's name in every consumer group. @default `<host>-<pid>` */
  consumerName?: string;
}

/** Every pipeline's definition is checked at creation, so a cycle or a missing module fails the config load. */
function checkDefinitions(pipelines: readonly CompiledStreamPipeline[]): void {
  const issues = pipelines.flatMap((p) =>
    checkPipelineDefinition(toPipelineDefinition(p), `streams.pipelines.${p.name}`),
  );
  if (issues.length > 0) throw new ConfigError(issues);
}

export function createStreams(ctx: ModuleContext, options: StreamsOptions = {}): Streams {
  const config = ctx.config.streams;
  checkDefinitions(config.pipelines);
  const store = ctx.store.part(streamStorePart);
  const log = ctx.logger;
  const consumerName =
    options.consumerName ?? process.env.GAPWARDEN_STREAM_CONSUMER ?? `${hostname()}-${process.pid}`;
  const clients = new Map<string, StreamClient>();
  const runners = new Map<string, PipelineRunner>();
  let stopping = false;
  let started: Promise<void> | undefined;
  let retry = new AbortController();

  async function clientFor(name: string): Promise<StreamClient> {
    let c = clients.get(name);
    if (!c) {
      const spec = config.clients[name];
      if (!spec) throw new Error(`unknown stream client ${name}`); // compile checked it
      c = await createStreamClient(spec);
      clients.set(name, c);
    }
    return c;
  }

  async function startPipeline(p: CompiledStreamPipeline): Promise<void> {
    const client = await clientFor(p.client);
    const sinkClients = new Map<string, StreamClient>();
    for (const s of p.sinks) if (s.type === 'topic') sinkClients.set(s.client, await clientFor(s.client));
    const runner = createPipelineRunner({
      pipeline: p,
      client,
      store,
      sinks: createSinkWriter({
        sinks: p.sinks,
        clientFor: (n) => sinkClients.get(n) as StreamClient,
        core: ctx.core,
      }),
      clock: ctx.clock,
      logger: log,
      events: ctx.events,
      consumerName,
    });
    await runner.start();
    runners.set(p.name, runner);
  }

  /** Starts each pipeline; one whose server is down is tried again every 5 s, the others run meanwhile. */
  async function startAll(): Promise<void> {
    await Promise.all(
      config.pipelines.map(async (p) => {
        while (!stopping) {
          try {
            await startPipeline(p);
            return;
          } catch (err) {
            log.error({
              msg: 'stream pipeline cannot start; retrying in 5s',
              pipeline: p.name,
              error: describeError(err),
            });
            await ctx.clock.sleep(5_000, retry.signal).catch(() => undefined);
          }
        }
      }),
    );
  }

  const run = async () => {
    if (config.pipelines.length === 0 || started) return;
    stopping = false;
    retry = new AbortController();
    // Waits for the first connection attempt of each pipeline, not for a server that is down.
    started = startAll();
    await Promise.race([started, ctx.clock.sleep(10_000).catch(() => undefined)]);
  };

  return {
    store,
    pipelines: config.pipelines.map((p) => p.name),
    async start({ collect }) {
      if (collect) await run();
    },
    run,
    async stop() {
      stopping = true;
      retry.abort();
      await started;
      for (const r of runners.values()) await r.stop();
      runners.clear();
      for (const c of clients.values()) await c.close().catch(() => undefined);
      clients.clear();
      started = undefined;
    },
    summary: () =>
      summarisePipelines(
        config,
        store,
        new Map([...runners].map(([n, r]) => [n, r.status()])),
        ctx.clock.now(),
      ),
    batches: (pipeline, limit) => store.recentBatches({ ...(pipeline ? { pipeline } : {}), limit }),
    activity: (pipeline, since) => store.minutes({ ...(pipeline ? { pipeline } : {}), since }),
    live: () => [...runners.values()].map((r) => r.status()),
    async commit() {
      for (const r of runners.values()) await r.commit();
    },
  };
}

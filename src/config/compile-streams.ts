import { parseDuration } from '../domain/duration.js';
import type { ConfigIssue } from '../internal/errors.js';
import type {
  CompiledStreamPipeline,
  CompiledStreamSink,
  CompiledStreams,
  StreamClientSpec,
} from './compiled-streams.js';
import type { StreamsConfig } from './streams-schema.js';

/** Seed defaults: commit every 100 messages or 5 s (every 1,000 while a backlog drains), batch timeout 5 s. */
export const STREAM_DEFAULTS = {
  commitEvery: 100,
  commitIntervalMs: 5_000,
  backlogCommitEvery: 1_000,
  batchTimeoutMs: 5_000,
  batchLimit: 200,
  ackWaitMs: 30_000,
  idleExpiryMs: 600_000,
  concurrency: 16,
} as const;

const ms = (v: string | number | undefined, fallback: number): number =>
  v === undefined ? fallback : (parseDuration(v) ?? fallback);

/**
 * Compiles the `streams:` section: clients to specs, pipelines with every
 * default resolved. References (a pipeline's client, a sink's client,
 * dataset or modules) are checked here; the module graph and the window are
 * checked by the pipeline core when the streams module is created.
 */
export function compileStreams(
  config: StreamsConfig | undefined,
  datasets: readonly { name: string }[],
  issues: ConfigIssue[],
): CompiledStreams {
  if (!config) return { clients: {}, pipelines: [] };
  const clients: Record<string, StreamClientSpec> = {};
  for (const [name, c] of Object.entries(config.clients)) {
    if ('nats' in c) clients[name] = { engine: 'nats', servers: c.nats.servers };
    else if ('redis' in c) clients[name] = { engine: 'redis', url: c.redis.url };
    else
      clients[name] = {
        engine: 'kafka',
        brokers: c.kafka.brokers,
        ...(c.kafka.clientId === undefined ? {} : { clientId: c.kafka.clientId }),
      };
  }
  const issue = (path: string, expected: string, found: string, message: string) =>
    issues.push({ path, expected, found, message });
  const clientNames = Object.keys(clients);
  const datasetNames = new Set(datasets.map((d) => d.name));
  const pipelines: CompiledStreamPipeline[] = [];
  for (const [name, p] of Object.entries(config.pipelines ?? {})) {
    const at = `streams.pipelines.${name}`;
    if (!clients[p.client])
      issue(
        `${at}.client`,
        `one of ${clientNames.join(', ') || '(no clients)'}`,
        p.client,
        `unknown client "${p.client}": declare it under streams.clients`,
      );
    const batchLimit = p.batchLimit ?? STREAM_DEFAULTS.batchLimit;
    const topics = p.topics.map((t) =>
      typeof t === 'string'
        ? { name: t, global: false, batchLimit }
        : { name: t.name, global: t.global ?? false, batchLimit: t.batchLimit ?? batchLimit },
    );
    const modules = Object.entries(p.modules ?? {}).map(([m, def]) => ({
      name: m,
      dependsOn: def.dependsOn ?? [],
      run: def.run,
    }));
    const moduleNames = new Set(modules.map((m) => m.name));
    const checkModules = (path: string, list: readonly string[] | undefined) => {
      for (const m of list ?? [])
        if (!moduleNames.has(m))
          issue(
            path,
            `one of ${[...moduleNames].join(', ') || '(no modules)'}`,
            m,
            `unknown module "${m}" in pipeline "${name}"`,
          );
    };
    const sinks: CompiledStreamSink[] = (p.sinks ?? []).map((s, i) => {
      const sat = `${at}.sinks.${i}`;
      if (s.type === 'topic') {
        const client = s.client ?? p.client;
        if (!clients[client])
          issue(`${sat}.client`, `one of ${clientNames.join(', ')}`, client, `unknown client "${client}"`);
        checkModules(`${sat}.modules`, s.modules);
        return { type: 'topic', topic: s.topic, client, modules: s.modules, batches: s.batches ?? false };
      }
      if (s.type === 'dataset') {
        if (!datasetNames.has(s.dataset))
          issue(
            `${sat}.dataset`,
            `one of ${[...datasetNames].join(', ') || '(no datasets)'}`,
            s.dataset,
            `unknown dataset "${s.dataset}": a dataset sink stores into a dataset declared under datasets`,
          );
        checkModules(`${sat}.module`, [s.module]);
        return { type: 'dataset', dataset: s.dataset, module: s.module };
      }
      checkModules(`${sat}.modules`, s.modules);
      return { type: 'function', run: s.run, modules: s.modules, batches: s.batches ?? false };
    });
    const cadenceMs = ms(p.cadence, 0);
    const samples = p.window.samples;
    const durationMs = p.window.duration === undefined ? undefined : ms(p.window.duration, 0);
    const windowSlots =
      samples ?? (durationMs !== undefined && cadenceMs > 0 ? Math.ceil(durationMs / cadenceMs) : 1);
    const quietCloseMs = ms(p.window.quietClose, Math.max(1_000, 2 * cadenceMs * windowSlots));
    pipelines.push({
      name,
      client: p.client,
      group: p.group ?? `gapwarden-${name}`,
      timeField: p.timeField ?? 'time',
      topics,
      keyBy: p.keyBy,
      cadenceMs,
      window: {
        ...(samples === undefined ? {} : { samples }),
        ...(durationMs === undefined ? {} : { duration: durationMs }),
        graceMs: ms(p.window.grace, 0),
        quietCloseMs,
      },
      fills: p.fills ?? {},
      idleExpiryMs: Math.max(ms(p.idleExpiry, STREAM_DEFAULTS.idleExpiryMs), quietCloseMs),
      modules,
      batch: p.batch
        ? {
            timeoutMs: ms(p.batch.timeout, STREAM_DEFAULTS.batchTimeoutMs),
            ...(p.batch.expectedKeys ? { expectedKeys: p.batch.expectedKeys } : {}),
          }
        : undefined,
      concurrency: p.concurrency ?? STREAM_DEFAULTS.concurrency,
      commitEvery: p.commit?.messages ?? STREAM_DEFAULTS.commitEvery,
      commitIntervalMs: ms(p.commit?.interval, STREAM_DEFAULTS.commitIntervalMs),
      // Never below the caught-up cadence: a backlog commits at least as many messages at once.
      backlogCommitEvery: Math.max(
        p.commit?.backlogMessages ?? STREAM_DEFAULTS.backlogCommitEvery,
        p.commit?.messages ?? STREAM_DEFAULTS.commitEvery,
      ),
      ackWaitMs: ms(p.ackWait, STREAM_DEFAULTS.ackWaitMs),
      deadLetterTopic: p.deadLetterTopic ?? `${topics[0]?.name ?? name}.dead-letter`,
      sinks,
    });
  }
  return { clients, pipelines };
}

import type { StreamClientSpec } from '../../src/config/compiled-streams.js';
import type { GapwardenConfig } from '../../src/config/config-schema.js';
import type { StreamModuleContext, StreamSinkFunction } from '../../src/config/stream-functions.js';

/** The station-telemetry scenario of seed 003, on topics under `prefix`. */
export interface TelemetryTopics {
  data: string;
  env: string;
  weather: string;
  out: string;
  deadLetter: string;
}

export const telemetryTopics = (prefix: string): TelemetryTopics => ({
  data: `${prefix}.station-data`,
  env: `${prefix}.station-env`,
  weather: `${prefix}.weather`,
  out: `${prefix}.results`,
  deadLetter: `${prefix}.dead-letter`,
});

/** `load`: the mean power over the window (filled linearly) with the current weather; `plan` doubles it. */
export const loadModule = (ctx: StreamModuleContext) => {
  const power = (ctx.window.topics[
    Object.keys(ctx.window.topics).find((t) => t.endsWith('station-data')) ?? ''
  ]?.values.power ?? []) as (number | null)[];
  const real = power.filter((v): v is number => typeof v === 'number');
  if (real.length === 0) return null;
  const weather = Object.values(ctx.global)[0]?.payload;
  return {
    mean: real.reduce((a, b) => a + b, 0) / real.length,
    power,
    temp: (weather?.temp as number | undefined) ?? null,
  };
};
export const planModule = (ctx: StreamModuleContext) => ({
  target: (ctx.inputs.load as { mean: number }).mean * 2,
});

/**
 * A config with one pipeline over `client`: two keyed topics (station data
 * and environment), one global (weather), a window of `samples` one-minute
 * slots with linear fill of `power`, the modules `load` and `plan`
 * (depending on it), a batch over S1..S3 with a 1 s timeout, and sinks: the
 * `plans` dataset (module plan), a results topic, and `fn` when given.
 */
export function telemetryConfig(options: {
  storePath: string;
  client: StreamClientSpec;
  topics: TelemetryTopics;
  samples: number;
  fn?: StreamSinkFunction;
  commit?: { messages?: number; interval?: string };
  ackWait?: string;
  group?: string;
  expectedKeys?: string[];
  start: string;
  /** @default '10m' */
  grace?: string;
  idleExpiry?: string;
}): GapwardenConfig {
  const c = options.client;
  const client =
    c.engine === 'nats'
      ? { nats: { servers: [...c.servers] } }
      : c.engine === 'redis'
        ? { redis: { url: c.url } }
        : { kafka: { brokers: [...c.brokers] } };
  const t = options.topics;
  return {
    store: { sqlite: options.storePath },
    server: { port: 0 },
    datasets: {
      plans: { partition: { calendar: { every: '1m', timezone: 'UTC', start: options.start } } },
    },
    streams: {
      clients: { telemetry: client },
      pipelines: {
        stations: {
          client: 'telemetry',
          ...(options.group ? { group: options.group } : {}),
          topics: [t.data, t.env, { name: t.weather, global: true }],
          keyBy: 'stationId',
          cadence: '1m',
          // Topics are consumed independently, so one may run ahead of another: the grace lets the
          // windows wait for the slower topic (they close when the keys go quiet).
          window: { samples: options.samples, grace: options.grace ?? '10m', quietClose: '1s' },
          fills: { power: 'linear', temperature: 'forward' },
          ...(options.idleExpiry ? { idleExpiry: options.idleExpiry } : {}),
          modules: { load: { run: loadModule }, plan: { dependsOn: ['load'], run: planModule } },
          batch: { timeout: '1s', expectedKeys: options.expectedKeys ?? ['S1', 'S2', 'S3'] },
          commit: {
            messages: options.commit?.messages ?? 100,
            interval: options.commit?.interval ?? '500ms',
          },
          ackWait: options.ackWait ?? '30s',
          deadLetterTopic: t.deadLetter,
          sinks: [
            { type: 'dataset', dataset: 'plans', module: 'plan' },
            { type: 'topic', topic: t.out, modules: ['plan'], batches: true },
            ...(options.fn ? [{ type: 'function' as const, run: options.fn, batches: true }] : []),
          ],
        },
      },
    },
  };
}

import type { GapwardenConfig } from '../config/config-schema.js';
import { TELEMETRY_STATIONS } from './telemetry-fleet.js';
import { anomaly, meanPower } from './telemetry-modules.js';

/** The demo's pipeline, its client and the dataset its `anomaly` results go to. */
export const TELEMETRY_PIPELINE = 'telemetry';
export const TELEMETRY_CLIENT = 'demo-nats';
export const TELEMETRY_DATASET = 'station-health';

/** The subjects of one demo folder: under a prefix of its own, so the demo never touches other streams. */
export interface TelemetryTopics {
  /** Station samples, keyed by `stationId`. */
  telemetry: string;
  /** The calibration, global: every window sees the latest. */
  config: string;
  deadLetter: string;
}

export function telemetryTopics(prefix: string): TelemetryTopics {
  return {
    telemetry: `${prefix}.telemetry`,
    config: `${prefix}.config`,
    deadLetter: `${prefix}.dead-letter`,
  };
}

export interface DemoTelemetryOptions {
  /** The NATS server as written into the config: a URL, or a `${env:...}` reference when it holds credentials. */
  server: string;
  topics: TelemetryTopics;
  /** ISO minute the sink dataset's calendar starts at (the demo's start). */
  start: string;
}

/**
 * The demo's station-telemetry pipeline on NATS JetStream, in the documented
 * config (docs/streams.md): 20 stations keyed by `stationId`, one sample a
 * second, windows of 5 samples with `power` filled linearly, `meanPower` and
 * the `anomaly` flag depending on it, a batch per second across the fleet
 * (3 s timeout: a station that dropped its sample is missing from it), and
 * the `anomaly` results as records of `station-health`, partitioned by minute.
 */
export function demoTelemetry(options: DemoTelemetryOptions): Pick<GapwardenConfig, 'streams'> & {
  datasets: NonNullable<GapwardenConfig['datasets']>;
} {
  const t = options.topics;
  return {
    datasets: {
      [TELEMETRY_DATASET]: {
        description: 'per station and second: mean power over 5 s (gaps filled linearly) and an anomaly flag',
        partition: { calendar: { every: '1m', timezone: 'UTC', start: options.start } },
      },
    },
    streams: {
      clients: { [TELEMETRY_CLIENT]: { nats: { servers: [options.server] } } },
      pipelines: {
        [TELEMETRY_PIPELINE]: {
          client: TELEMETRY_CLIENT,
          topics: [t.telemetry, { name: t.config, global: true }],
          keyBy: 'stationId',
          cadence: '1s',
          // A station that skips the next sample still closes its window on time (1.5 s of quiet),
          // so a batch misses only the stations that dropped its own second.
          window: { samples: 5, quietClose: '1500ms' },
          fills: { power: 'linear' },
          modules: {
            meanPower: { run: meanPower },
            anomaly: { dependsOn: ['meanPower'], run: anomaly },
          },
          batch: { timeout: '3s', expectedKeys: [...TELEMETRY_STATIONS] },
          commit: { interval: '1s' },
          deadLetterTopic: t.deadLetter,
          sinks: [{ type: 'dataset', dataset: TELEMETRY_DATASET, module: 'anomaly' }],
        },
      },
    },
  };
}

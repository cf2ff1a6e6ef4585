import type { Engine } from '../engine/engine.js';
import type { StoredBatchReport } from '../streams/store/stream-store.js';
import { streamsModule } from '../streams/streams-module.js';
import { displayNatsUrl, type TelemetryBroker, type TelemetryFeed } from './demo-telemetry.js';
import { TELEMETRY_DATASET, TELEMETRY_PIPELINE } from './demo-telemetry-config.js';
import { TELEMETRY_STATIONS } from './telemetry-fleet.js';
import type { StationHealth } from './telemetry-modules.js';

/** What the demo's telemetry pipeline did, for the terminal and `--json`. */
export type TelemetrySummary =
  | {
      enabled: true;
      nats: string;
      subjects: { telemetry: string; config: string };
      /** The JetStream streams the demo created for its subjects (deleted when it ends). */
      streams: readonly string[];
      stations: number;
      /** Samples the fleet published, and those it dropped (never sent). */
      published: number;
      dropped: number;
      calibrations: number;
      pipeline: {
        name: string;
        /** Messages acknowledged, per topic summed. */
        acked: number;
        batches: number;
        timedOut: number;
        availability: { last: number | null; lowest: number | null };
        lastBatch: StoredBatchReport | null;
      };
      /** The `anomaly` results stored as records of the sink dataset. */
      dataset: { name: string; records: number; filledWindows: number; flagged: number };
    }
  | { enabled: false; nats: string; reason: string; hint: string };

/** Reads the pipeline's record from the store and the sink dataset's records (after the pipeline stopped). */
export async function summariseTelemetry(
  engine: Engine,
  broker: TelemetryBroker,
  feed: TelemetryFeed,
): Promise<TelemetrySummary> {
  const [p] = (await engine.module(streamsModule).summary()).filter((s) => s.name === TELEMETRY_PIPELINE);
  const window = engine.dataset(TELEMETRY_DATASET).coverage.window();
  const rows = window ? await engine.store.recordsBetween(TELEMETRY_DATASET, window[0], window[1]) : [];
  const values = rows.map((r) => (JSON.parse(r.payload) as { value: StationHealth }).value);
  return {
    enabled: true,
    nats: displayNatsUrl(broker.url),
    subjects: { telemetry: broker.topics.telemetry, config: broker.topics.config },
    streams: broker.streams.slice(0, 2),
    stations: TELEMETRY_STATIONS.length,
    ...feed.counts(),
    pipeline: {
      name: TELEMETRY_PIPELINE,
      acked: p?.topics.reduce((n, t) => n + t.acked, 0) ?? 0,
      batches: p?.batchesLastHour ?? 0,
      timedOut: p?.timedOutLastHour ?? 0,
      availability: { last: p?.availability.last ?? null, lowest: p?.availability.minLastHour ?? null },
      lastBatch: p?.lastBatch ?? null,
    },
    dataset: {
      name: TELEMETRY_DATASET,
      records: rows.length,
      filledWindows: values.filter((v) => v.filled > 0).length,
      flagged: values.filter((v) => v.flagged).length,
    },
  };
}

const percent = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);

/** The summary's lines for the terminal. */
export function formatTelemetrySummary(s: TelemetrySummary): string[] {
  if (!s.enabled) return [`telemetry: the stream pipeline is off (${s.reason}); ${s.hint}`];
  const p = s.pipeline;
  return [
    `telemetry: ${s.stations} stations on NATS JetStream at ${s.nats} (${s.subjects.telemetry}): ${s.published} samples published, ${s.dropped} dropped by the flaky stations, ${s.calibrations} calibration(s)`,
    `  pipeline ${p.name}: ${p.acked} messages acknowledged, ${p.batches} batches (${p.timedOut} timed out with stations missing), availability last ${percent(p.availability.last)}, lowest ${percent(p.availability.lowest)}`,
    `  ${s.dataset.name}: ${s.dataset.records} per-station windows stored, ${s.dataset.filledWindows} with dropped samples filled linearly, ${s.dataset.flagged} flagged as anomalies`,
  ];
}

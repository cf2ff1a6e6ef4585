import type { CompiledStreams } from '../config/compiled-streams.js';
import type { PipelineRunnerStatus } from './runner/pipeline-runner.js';
import type { StoredBatchReport, StreamStore } from './store/stream-store.js';

/** One topic of a pipeline as `gapwarden streams` and `GET /api/streams` show it. */
export interface TopicSummary {
  topic: string;
  global: boolean;
  /** Acknowledged since the pipeline first ran (every process sharing the store). */
  acked: number;
  deadLetters: number;
  /** Messages waiting on the server, as of the last commit (or live, in the process that runs it). */
  lag: number | null;
  committedAt: number | null;
}

export interface PipelineSummary {
  name: string;
  engine: string;
  client: string;
  group: string;
  /** Whether this process runs it (null: this process does not run pipelines, e.g. the CLI). */
  running: boolean | null;
  lastError: string | null;
  topics: TopicSummary[];
  /** Messages per second over the last five minutes. */
  throughput: number;
  /** Availability of the newest batch, and the lowest over the last hour (null: no batch). */
  availability: { last: number | null; minLastHour: number | null };
  batchesLastHour: number;
  timedOutLastHour: number;
  /** Module runs that threw in the last hour, as committed by every process sharing the store. */
  moduleFailuresLastHour: number;
  lastBatch: StoredBatchReport | null;
}

/** The state of every pipeline: the store's record (shared by every process) with this process's live view. */
export async function summarisePipelines(
  config: CompiledStreams,
  store: StreamStore,
  live: ReadonlyMap<string, PipelineRunnerStatus>,
  now: number,
): Promise<PipelineSummary[]> {
  const out: PipelineSummary[] = [];
  for (const p of config.pipelines) {
    const checkpoints = await store.checkpoints(p.name);
    const hour = await store.minutes({ pipeline: p.name, since: now - 3_600_000 });
    const minutes = hour.filter((m) => m.minute >= now - 5 * 60_000);
    const summary = await store.batchSummary(p.name, now - 3_600_000);
    const [lastBatch] = await store.recentBatches({ pipeline: p.name, limit: 1 });
    const status = live.get(p.name);
    const messages = minutes.reduce((n, m) => n + m.messages, 0);
    out.push({
      name: p.name,
      engine: config.clients[p.client]?.engine ?? 'unknown',
      client: p.client,
      group: p.group,
      running: status ? status.running : null,
      lastError: status?.lastError ?? null,
      topics: p.topics.map((t) => {
        const cp = checkpoints.find((c) => c.topic === t.name);
        const liveTopic = status?.topics.find((x) => x.topic === t.name);
        return {
          topic: t.name,
          global: t.global,
          acked: cp?.acked ?? 0,
          deadLetters: cp?.deadLetters ?? 0,
          lag: liveTopic?.lag ?? cp?.lag ?? null,
          committedAt: cp?.committedAt ?? null,
        };
      }),
      throughput: Math.round((messages / 300) * 100) / 100,
      availability: {
        last: summary.lastAvailability ?? lastBatch?.availabilityRatio ?? null,
        minLastHour: summary.minAvailability,
      },
      batchesLastHour: summary.batches,
      timedOutLastHour: summary.timedOut,
      moduleFailuresLastHour: hour.reduce((n, m) => n + m.moduleFailures, 0),
      lastBatch: lastBatch ?? null,
    });
  }
  return out;
}

import type { StoredBatchReport, StreamMinute, TopicCheckpoint } from './stream-store.js';

type Row = Record<string, unknown>;
const num = (v: unknown) => Number(v);
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export const BATCH_COLUMNS =
  'pipeline, batch_id, window_end, status, opened_at, closed_at, expected_keys, reported_keys, missing_keys, missing_topics, availability';

export function toBatch(r: Row): StoredBatchReport {
  return {
    pipeline: String(r.pipeline),
    batchId: String(r.batch_id),
    windowEnd: num(r.window_end),
    status: r.status as StoredBatchReport['status'],
    openedAt: num(r.opened_at),
    closedAt: num(r.closed_at),
    expectedKeys: JSON.parse(String(r.expected_keys)),
    reportedKeys: num(r.reported_keys),
    missingKeys: JSON.parse(String(r.missing_keys)),
    missingTopics: JSON.parse(String(r.missing_topics)),
    availabilityRatio: num(r.availability),
  };
}

/** The values of one batch row, in BATCH_COLUMNS order. */
export function batchValues(b: StoredBatchReport): unknown[] {
  return [
    b.pipeline,
    b.batchId,
    b.windowEnd,
    b.status,
    b.openedAt,
    b.closedAt,
    JSON.stringify(b.expectedKeys),
    b.reportedKeys,
    JSON.stringify(b.missingKeys),
    JSON.stringify(b.missingTopics),
    b.availabilityRatio,
  ];
}

export function toCheckpoint(r: Row): TopicCheckpoint {
  return {
    pipeline: String(r.pipeline),
    topic: String(r.topic),
    acked: num(r.acked),
    deadLetters: num(r.dead_letters),
    lastId: r.last_id === null ? null : String(r.last_id),
    lag: numOrNull(r.lag),
    committedAt: num(r.committed_at),
  };
}

export function toMinute(r: Row): StreamMinute {
  const batches = num(r.batches);
  return {
    pipeline: String(r.pipeline),
    minute: num(r.minute),
    messages: num(r.messages),
    deadLetters: num(r.dead_letters),
    batches,
    availability: batches > 0 ? num(r.availability_sum) / batches : null,
    moduleFailures: num(r.module_failures ?? 0),
  };
}

/** Per pipeline: what one commit adds to its minute. */
export function minuteDeltas(commit: {
  at: number;
  topics: readonly { pipeline: string; acked: number; deadLetters: number }[];
  batches: readonly StoredBatchReport[];
  moduleFailures?: readonly { pipeline: string; count: number }[];
}) {
  const byPipeline = new Map<
    string,
    { messages: number; deadLetters: number; batches: number; availability: number; moduleFailures: number }
  >();
  const get = (p: string) => {
    let d = byPipeline.get(p);
    if (!d) {
      d = { messages: 0, deadLetters: 0, batches: 0, availability: 0, moduleFailures: 0 };
      byPipeline.set(p, d);
    }
    return d;
  };
  for (const t of commit.topics) {
    const d = get(t.pipeline);
    d.messages += t.acked;
    d.deadLetters += t.deadLetters;
  }
  for (const f of commit.moduleFailures ?? []) get(f.pipeline).moduleFailures += f.count;
  for (const b of commit.batches) {
    const d = get(b.pipeline);
    d.batches++;
    d.availability += b.availabilityRatio;
  }
  const minute = Math.floor(commit.at / 60_000) * 60_000;
  return [...byPipeline].map(([pipeline, d]) => ({ pipeline, minute, ...d }));
}

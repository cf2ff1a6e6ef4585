import type { PostgresHandle } from '../../../store/postgres/postgres-connection.js';
import { BATCH_COLUMNS, batchValues, minuteDeltas, toBatch, toCheckpoint, toMinute } from '../stream-rows.js';
import type { StreamStore } from '../stream-store.js';

type Row = Record<string, unknown>;

const CHECKPOINT = `
  INSERT INTO stream_checkpoints AS c (pipeline, topic, acked, dead_letters, last_id, lag, committed_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (pipeline, topic) DO UPDATE SET acked = c.acked + excluded.acked,
    dead_letters = c.dead_letters + excluded.dead_letters, last_id = COALESCE(excluded.last_id, c.last_id),
    lag = COALESCE(excluded.lag, c.lag), committed_at = excluded.committed_at`;
const MINUTE = `
  INSERT INTO stream_minutes AS m (pipeline, minute, messages, dead_letters, batches, availability_sum, module_failures)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (pipeline, minute) DO UPDATE SET messages = m.messages + excluded.messages,
    dead_letters = m.dead_letters + excluded.dead_letters, batches = m.batches + excluded.batches,
    availability_sum = m.availability_sum + excluded.availability_sum,
    module_failures = m.module_failures + excluded.module_failures`;
const BATCH = `
  INSERT INTO stream_batches (${BATCH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
  ON CONFLICT (pipeline, batch_id) DO UPDATE SET window_end = excluded.window_end, status = excluded.status,
    opened_at = excluded.opened_at, closed_at = excluded.closed_at, expected_keys = excluded.expected_keys,
    reported_keys = excluded.reported_keys, missing_keys = excluded.missing_keys,
    missing_topics = excluded.missing_topics, availability = excluded.availability`;

export function createPostgresStreamStore(exec: PostgresHandle): StreamStore {
  const rows = (what: string, sql: string, values: unknown[]) =>
    exec.read(what, async (c) => (await c.query<Row>(sql, values)).rows);
  return {
    async saveCommit(commit) {
      await exec.transaction('saving a stream commit', async (c) => {
        for (const t of commit.topics)
          await c.query(CHECKPOINT, [
            t.pipeline,
            t.topic,
            t.acked,
            t.deadLetters,
            t.lastId,
            t.lag,
            commit.at,
          ]);
        for (const b of commit.batches) await c.query(BATCH, batchValues(b));
        for (const m of minuteDeltas(commit))
          await c.query(MINUTE, [
            m.pipeline,
            m.minute,
            m.messages,
            m.deadLetters,
            m.batches,
            m.availability,
            m.moduleFailures,
          ]);
      });
    },
    async checkpoints(pipeline) {
      const r = await rows(
        'reading stream checkpoints',
        'SELECT * FROM stream_checkpoints WHERE ($1::text IS NULL OR pipeline = $1) ORDER BY pipeline, topic',
        [pipeline ?? null],
      );
      return r.map(toCheckpoint);
    },
    async recentBatches({ pipeline, limit }) {
      const r = await rows(
        'reading batch reports',
        `SELECT ${BATCH_COLUMNS} FROM stream_batches WHERE ($1::text IS NULL OR pipeline = $1)
         ORDER BY closed_at DESC, batch_id DESC LIMIT $2`,
        [pipeline ?? null, limit],
      );
      return r.map(toBatch);
    },
    async minutes({ pipeline, since }) {
      const r = await rows(
        'reading stream activity',
        `SELECT * FROM stream_minutes WHERE ($1::text IS NULL OR pipeline = $1) AND minute >= $2
         ORDER BY minute, pipeline`,
        [pipeline ?? null, since],
      );
      return r.map(toMinute);
    },
    async batchSummary(pipeline, since) {
      const [r] = await rows(
        'summarising batch reports',
        `SELECT COUNT(*) AS batches, COUNT(*) FILTER (WHERE status = 'timed-out') AS timed_out,
           MIN(availability) AS min_availability,
           (SELECT availability FROM stream_batches WHERE pipeline = $1 AND closed_at >= $2
            ORDER BY closed_at DESC LIMIT 1) AS last_availability
         FROM stream_batches WHERE pipeline = $1 AND closed_at >= $2`,
        [pipeline, since],
      );
      return {
        batches: Number(r?.batches ?? 0),
        timedOut: Number(r?.timed_out ?? 0),
        minAvailability: r?.min_availability == null ? null : Number(r.min_availability),
        lastAvailability: r?.last_availability == null ? null : Number(r.last_availability),
      };
    },
  };
}

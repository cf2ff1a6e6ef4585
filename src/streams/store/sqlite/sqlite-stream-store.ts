import type { SqliteDatabase, SqliteHandle } from '../../../store/sqlite/sqlite-connection.js';
import { BATCH_COLUMNS, batchValues, minuteDeltas, toBatch, toCheckpoint, toMinute } from '../stream-rows.js';
import type { StreamStore } from '../stream-store.js';

type Row = Record<string, unknown>;

function prepare(db: SqliteDatabase) {
  return {
    checkpoint: db.prepare(`
      INSERT INTO stream_checkpoints (pipeline, topic, acked, dead_letters, last_id, lag, committed_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (pipeline, topic) DO UPDATE SET acked = acked + excluded.acked,
        dead_letters = dead_letters + excluded.dead_letters, last_id = COALESCE(excluded.last_id, last_id),
        lag = COALESCE(excluded.lag, lag), committed_at = excluded.committed_at`),
    minute: db.prepare(`
      INSERT INTO stream_minutes (pipeline, minute, messages, dead_letters, batches, availability_sum, module_failures)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (pipeline, minute) DO UPDATE SET messages = messages + excluded.messages,
        dead_letters = dead_letters + excluded.dead_letters, batches = batches + excluded.batches,
        availability_sum = availability_sum + excluded.availability_sum,
        module_failures = module_failures + excluded.module_failures`),
    batch: db.prepare(`
      INSERT INTO stream_batches (${BATCH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (pipeline, batch_id) DO UPDATE SET window_end = excluded.window_end, status = excluded.status,
        opened_at = excluded.opened_at, closed_at = excluded.closed_at, expected_keys = excluded.expected_keys,
        reported_keys = excluded.reported_keys, missing_keys = excluded.missing_keys,
        missing_topics = excluded.missing_topics, availability = excluded.availability`),
    checkpoints: db.prepare(
      'SELECT * FROM stream_checkpoints WHERE (@pipeline IS NULL OR pipeline = @pipeline) ORDER BY pipeline, topic',
    ),
    recent:
      db.prepare(`SELECT ${BATCH_COLUMNS} FROM stream_batches WHERE (@pipeline IS NULL OR pipeline = @pipeline)
      ORDER BY closed_at DESC, batch_id DESC LIMIT @limit`),
    minutes: db.prepare(`SELECT * FROM stream_minutes WHERE (@pipeline IS NULL OR pipeline = @pipeline)
      AND minute >= @since ORDER BY minute, pipeline`),
    summary: db.prepare(`SELECT COUNT(*) AS batches, COALESCE(SUM(status = 'timed-out'), 0) AS timed_out,
      MIN(availability) AS min_availability FROM stream_batches WHERE pipeline = ? AND closed_at >= ?`),
    last: db.prepare(
      'SELECT availability FROM stream_batches WHERE pipeline = ? AND closed_at >= ? ORDER BY closed_at DESC LIMIT 1',
    ),
  };
}

export function createSqliteStreamStore(handle: SqliteHandle): StreamStore {
  const { db, write, read } = handle;
  let prepared: ReturnType<typeof prepare> | undefined;
  // On first use: the part is built before migrate() may have created its tables.
  const st = () => {
    prepared ??= prepare(db);
    return prepared;
  };
  return {
    async saveCommit(commit) {
      write('saving a stream commit', () => {
        const s = st();
        for (const t of commit.topics)
          s.checkpoint.run(t.pipeline, t.topic, t.acked, t.deadLetters, t.lastId, t.lag, commit.at);
        for (const b of commit.batches) s.batch.run(...batchValues(b));
        for (const m of minuteDeltas(commit))
          s.minute.run(
            m.pipeline,
            m.minute,
            m.messages,
            m.deadLetters,
            m.batches,
            m.availability,
            m.moduleFailures,
          );
      });
    },
    async checkpoints(pipeline) {
      return read('reading stream checkpoints', () =>
        (st().checkpoints.all({ pipeline: pipeline ?? null }) as Row[]).map(toCheckpoint),
      );
    },
    async recentBatches({ pipeline, limit }) {
      return read('reading batch reports', () =>
        (st().recent.all({ pipeline: pipeline ?? null, limit }) as Row[]).map(toBatch),
      );
    },
    async minutes({ pipeline, since }) {
      return read('reading stream activity', () =>
        (st().minutes.all({ pipeline: pipeline ?? null, since }) as Row[]).map(toMinute),
      );
    },
    async batchSummary(pipeline, since) {
      return read('summarising batch reports', () => {
        const r = st().summary.get(pipeline, since) as Row;
        const last = st().last.get(pipeline, since) as Row | undefined;
        return {
          batches: Number(r.batches),
          timedOut: Number(r.timed_out),
          minAvailability: r.min_availability === null ? null : Number(r.min_availability),
          lastAvailability: last ? Number(last.availability) : null,
        };
      });
    },
  };
}

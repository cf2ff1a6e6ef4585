import { ACTIVITY_MINUTE_MS, activityMinutes } from '../activity-minutes.js';
import type { ActivityBucket } from '../store.js';
import type { SqliteDatabase } from './sqlite-connection.js';

/** Records stored per dataset and minute (table `ingest_activity`). */
export interface SqliteActivity {
  /** Adds a batch's new records to its minute; call inside the ingest transaction. */
  count(datasetId: number, nowMs: number, inserted: number, filled: number): void;
  list(datasetId: number, fromMs: number, toMs: number, bucketMs: number): ActivityBucket[];
}

export function createSqliteActivity(db: SqliteDatabase): SqliteActivity {
  const add = db.prepare(
    `INSERT INTO ingest_activity (dataset_id, minute, inserted, filled) VALUES (?, ?, ?, ?)
     ON CONFLICT (dataset_id, minute) DO UPDATE SET
       inserted = inserted + excluded.inserted, filled = filled + excluded.filled`,
  );
  // Numbers are bound as REAL: the CAST keeps `minute / per` an integer division.
  const select = db.prepare(
    `SELECT (minute / CAST(@per AS INTEGER)) * @bucket AS start, SUM(inserted) AS inserted, SUM(filled) AS filled
       FROM ingest_activity
      WHERE dataset_id = @d AND minute >= @from AND minute < @to
      GROUP BY minute / CAST(@per AS INTEGER) ORDER BY start`,
  );
  return {
    count(datasetId, nowMs, inserted, filled) {
      if (inserted > 0) add.run(datasetId, Math.floor(nowMs / ACTIVITY_MINUTE_MS), inserted, filled);
    },
    list(datasetId, fromMs, toMs, bucketMs) {
      const { fromMinute, toMinute, perBucket } = activityMinutes(fromMs, toMs, bucketMs);
      return select.all({
        d: datasetId,
        per: perBucket,
        bucket: bucketMs,
        from: fromMinute,
        to: toMinute,
      }) as ActivityBucket[];
    },
  };
}

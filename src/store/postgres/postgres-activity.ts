import { activityMinutes } from '../activity-minutes.js';
import type { ActivityBucket } from '../store.js';
import type { PgClient } from './postgres-connection.js';

/** Reads the records stored per dataset and minute (table `ingest_activity`, counted by `PostgresDatasets.markInserted`). */
export interface PostgresActivity {
  list(
    c: PgClient,
    datasetId: number,
    fromMs: number,
    toMs: number,
    bucketMs: number,
  ): Promise<ActivityBucket[]>;
}

export function createPostgresActivity(): PostgresActivity {
  return {
    async list(c, datasetId, fromMs, toMs, bucketMs) {
      const { fromMinute, toMinute, perBucket } = activityMinutes(fromMs, toMs, bucketMs);
      const { rows } = await c.query<ActivityBucket>({
        text: `SELECT (minute / $2::bigint) * $3::bigint AS start,
                      SUM(inserted)::bigint AS inserted, SUM(filled)::bigint AS filled
                 FROM ingest_activity
                WHERE dataset_id = $1 AND minute >= $4 AND minute < $5
                GROUP BY minute / $2::bigint ORDER BY start`,
        values: [datasetId, perBucket, bucketMs, fromMinute, toMinute],
      });
      return rows;
    },
  };
}

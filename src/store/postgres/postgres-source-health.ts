import type { SourceHealth } from '../../domain/source-health.js';
import type { PgClient } from './postgres-connection.js';

/** The last known health of each source, so another process (`status`) can show it. */
export interface PostgresSourceHealth {
  /** One upsert: idempotent, so safe to retry. */
  save(c: PgClient, datasetId: number, health: SourceHealth, nowMs: number): Promise<void>;
  /** By source name. */
  load(c: PgClient, datasetId: number): Promise<SourceHealth[]>;
}

export function createPostgresSourceHealth(): PostgresSourceHealth {
  return {
    async save(c, datasetId, h, nowMs) {
      await c.query(
        `INSERT INTO source_health (dataset_id, source, state, consecutive_failures, last_success_at,
                                    last_failure_at, last_error, retry_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (dataset_id, source) DO UPDATE SET
           state = excluded.state, consecutive_failures = excluded.consecutive_failures,
           last_success_at = excluded.last_success_at, last_failure_at = excluded.last_failure_at,
           last_error = excluded.last_error, retry_at = excluded.retry_at, updated_at = excluded.updated_at`,
        [
          datasetId,
          h.source,
          h.state,
          h.consecutiveFailures,
          h.lastSuccessAt,
          h.lastFailureAt,
          h.lastError,
          h.retryAt,
          nowMs,
        ],
      );
    },
    async load(c, datasetId) {
      const { rows } = await c.query<SourceHealth>(
        `SELECT source, state, consecutive_failures AS "consecutiveFailures", last_success_at AS "lastSuccessAt",
                last_failure_at AS "lastFailureAt", last_error AS "lastError", retry_at AS "retryAt"
         FROM source_health WHERE dataset_id = $1 ORDER BY source`,
        [datasetId],
      );
      return rows;
    },
  };
}

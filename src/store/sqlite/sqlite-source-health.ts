import type { SourceHealth } from '../../domain/source-health.js';
import type { SqliteDatabase } from './sqlite-connection.js';

/** The last known health of each source, so another process (`status`) can show it. */
export interface SqliteSourceHealth {
  save(datasetId: number, health: SourceHealth, nowMs: number): void;
  /** By source name. */
  load(datasetId: number): SourceHealth[];
}

export function createSqliteSourceHealth(db: SqliteDatabase): SqliteSourceHealth {
  const upsert = db.prepare(`
    INSERT INTO source_health (dataset_id, source, state, consecutive_failures, last_success_at,
                               last_failure_at, last_error, retry_at, updated_at)
    VALUES (@datasetId, @source, @state, @consecutiveFailures, @lastSuccessAt,
            @lastFailureAt, @lastError, @retryAt, @updatedAt)
    ON CONFLICT (dataset_id, source) DO UPDATE SET
      state = excluded.state, consecutive_failures = excluded.consecutive_failures,
      last_success_at = excluded.last_success_at, last_failure_at = excluded.last_failure_at,
      last_error = excluded.last_error, retry_at = excluded.retry_at, updated_at = excluded.updated_at`);
  const select = db.prepare(`
    SELECT source, state, consecutive_failures AS consecutiveFailures, last_success_at AS lastSuccessAt,
           last_failure_at AS lastFailureAt, last_error AS lastError, retry_at AS retryAt
    FROM source_health WHERE dataset_id = ? ORDER BY source`);

  return {
    save(datasetId, h, nowMs) {
      upsert.run({
        datasetId,
        source: h.source,
        state: h.state,
        consecutiveFailures: h.consecutiveFailures,
        lastSuccessAt: h.lastSuccessAt,
        lastFailureAt: h.lastFailureAt,
        lastError: h.lastError,
        retryAt: h.retryAt,
        updatedAt: nowMs,
      });
    },
    load: (datasetId) => select.all(datasetId) as SourceHealth[],
  };
}

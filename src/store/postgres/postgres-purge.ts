import type { PurgeReport, PurgeRequest } from '../store.js';
import type { PostgresBackfillRuns } from './postgres-backfill-runs.js';
import type { PgClient } from './postgres-connection.js';
import type { PostgresDatasets } from './postgres-datasets.js';

/** An operator's repair of a range: records and known-missing marks removed, recorded as an audit row. */
export interface PostgresPurge {
  /** Runs in the caller's transaction. */
  purge(c: PgClient, datasetId: number, request: PurgeRequest, nowMs: number): Promise<PurgeReport>;
  list(c: PgClient, datasetId: number, limit: number): Promise<PurgeReport[]>;
}

const BETWEEN = 'WHERE dataset_id = $1 AND ordinal BETWEEN $2 AND $3';

export function createPostgresPurge(deps: {
  datasets: PostgresDatasets;
  runs: PostgresBackfillRuns;
}): PostgresPurge {
  const { datasets, runs } = deps;
  const count = async (c: PgClient, table: string, span: readonly number[]) =>
    (
      await c.query<[number]>({
        text: `SELECT count(*) FROM ${table} ${BETWEEN}`,
        values: [...span],
        rowMode: 'array',
      })
    ).rows[0]![0];

  return {
    async purge(c, datasetId, request, nowMs) {
      const { from, to, by } = request;
      const span = [datasetId, from, to];
      const report: PurgeReport = {
        id: null,
        dataset: await datasets.nameOf(c, datasetId),
        fromOrdinal: from,
        toOrdinal: to,
        records: request.records ? await count(c, 'records', span) : 0,
        knownMissing: request.knownMissing ? await count(c, 'known_missing', span) : 0,
        queueItems: await count(c, 'backfill_items', span),
        by,
        at: nowMs,
        dryRun: request.dryRun === true,
      };
      if (report.dryRun) return report;
      if (request.records) {
        await c.query(`DELETE FROM records ${BETWEEN}`, span);
        // The sources' newest may have been learned from the records removed.
        await c.query(
          'UPDATE datasets SET source_newest = NULL WHERE id = $1 AND source_newest BETWEEN $2 AND $3',
          span,
        );
      }
      if (request.knownMissing) await c.query(`DELETE FROM known_missing ${BETWEEN}`, span);
      const { rows } = await c.query<[number]>({
        text: `DELETE FROM backfill_items ${BETWEEN} RETURNING run_id`,
        values: span,
        rowMode: 'array',
      });
      for (const runId of new Set(rows.map(([id]) => id))) await runs.finishIfDone(c, runId, nowMs);
      const audit = await c.query<[number]>({
        text: `INSERT INTO purges (dataset_id, from_ordinal, to_ordinal, records, known_missing, queue_items, by_actor, at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        values: [datasetId, from, to, report.records, report.knownMissing, report.queueItems, by, nowMs],
        rowMode: 'array',
      });
      return { ...report, id: audit.rows[0]![0] };
    },
    async list(c, datasetId, limit) {
      const { rows } = await c.query<Omit<PurgeReport, 'dryRun'>>(
        `SELECT p.id, d.name AS dataset, p.from_ordinal AS "fromOrdinal", p.to_ordinal AS "toOrdinal",
                p.records, p.known_missing AS "knownMissing", p.queue_items AS "queueItems",
                p.by_actor AS "by", p.at
         FROM purges p JOIN datasets d ON d.id = p.dataset_id
         WHERE p.dataset_id = $1 ORDER BY p.id DESC LIMIT $2`,
        [datasetId, limit],
      );
      return rows.map((p) => ({ ...p, dryRun: false }));
    },
  };
}

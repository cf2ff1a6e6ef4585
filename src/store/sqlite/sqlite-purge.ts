import type { PurgeReport, PurgeRequest } from '../store.js';
import type { SqliteBackfillRuns } from './sqlite-backfill-runs.js';
import type { SqliteDatabase } from './sqlite-connection.js';
import type { SqliteDatasets } from './sqlite-datasets.js';

/** An operator's repair of a range: records and known-missing marks removed, recorded as an audit row. */
export interface SqlitePurge {
  purge(datasetId: number, request: PurgeRequest, nowMs: number): PurgeReport;
  list(datasetId: number, limit: number): PurgeReport[];
}

const SELECT_PURGE = `
  SELECT p.id, d.name AS dataset, p.from_ordinal AS fromOrdinal, p.to_ordinal AS toOrdinal,
         p.records, p.known_missing AS knownMissing, p.queue_items AS queueItems, p.by_actor AS "by", p.at
  FROM purges p JOIN datasets d ON d.id = p.dataset_id`;

export function createSqlitePurge(
  db: SqliteDatabase,
  deps: { datasets: SqliteDatasets; runs: SqliteBackfillRuns },
): SqlitePurge {
  const { datasets, runs } = deps;
  const between = 'WHERE dataset_id = ? AND ordinal BETWEEN ? AND ?';
  const countRecords = db.prepare(`SELECT count(*) FROM records ${between}`).pluck();
  const countKnown = db.prepare(`SELECT count(*) FROM known_missing ${between}`).pluck();
  const countItems = db.prepare(`SELECT count(*) FROM backfill_items ${between}`).pluck();
  const deleteRecords = db.prepare(`DELETE FROM records ${between}`);
  const deleteKnown = db.prepare(`DELETE FROM known_missing ${between}`);
  const deleteItems = db.prepare(`DELETE FROM backfill_items ${between} RETURNING run_id`).pluck();
  const forgetSourceNewest = db.prepare(
    'UPDATE datasets SET source_newest = NULL WHERE id = ? AND source_newest BETWEEN ? AND ?',
  );
  const insertAudit = db.prepare(`
    INSERT INTO purges (dataset_id, from_ordinal, to_ordinal, records, known_missing, queue_items, by_actor, at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const newest = db.prepare(`${SELECT_PURGE} WHERE p.dataset_id = ? ORDER BY p.id DESC LIMIT ?`);

  const purge = (datasetId: number, request: PurgeRequest, nowMs: number): PurgeReport => {
    const { from, to, by } = request;
    const span = [datasetId, from, to] as const;
    const report: PurgeReport = {
      id: null,
      dataset: datasets.nameOf(datasetId),
      fromOrdinal: from,
      toOrdinal: to,
      records: request.records ? (countRecords.get(...span) as number) : 0,
      knownMissing: request.knownMissing ? (countKnown.get(...span) as number) : 0,
      queueItems: countItems.get(...span) as number,
      by,
      at: nowMs,
      dryRun: request.dryRun === true,
    };
    if (report.dryRun) return report;
    if (request.records) {
      deleteRecords.run(...span);
      // The sources' newest may have been learned from the records removed.
      forgetSourceNewest.run(...span);
    }
    if (request.knownMissing) deleteKnown.run(...span);
    const touched = new Set(deleteItems.all(...span) as number[]);
    for (const runId of touched) runs.finishIfDone(runId, nowMs);
    const { records, knownMissing, queueItems } = report;
    const audit = insertAudit.run(datasetId, from, to, records, knownMissing, queueItems, by, nowMs);
    return { ...report, id: Number(audit.lastInsertRowid) };
  };

  return {
    purge,
    list: (datasetId, limit) =>
      (newest.all(datasetId, limit) as Omit<PurgeReport, 'dryRun'>[]).map((p) => ({ ...p, dryRun: false })),
  };
}

import type { BackfillRun } from '../store.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-connection.js';

/** Outcome counters a settlement can move. */
export type RunCounter = 'filled' | 'failed' | 'not_found';

/** Backfill runs: one row per request to fill a set of ordinals, with its counters. */
export interface SqliteBackfillRuns {
  /** Opens a run with nothing requested yet; returns its id. Call inside a transaction. */
  open(datasetId: number, trigger: BackfillRun['trigger'], from: number, to: number, nowMs: number): number;
  /** Sets how many items the run queued; a run that queued none is finished at once. */
  setRequested(runId: number, requested: number, nowMs: number): void;
  bump(runId: number, counter: RunCounter): void;
  /** Finishes the run if none of its items is pending or running; returns it when it finished now. */
  finishIfDone(runId: number, nowMs: number): BackfillRun | undefined;
  get(runId: number): BackfillRun | undefined;
  /** Newest first. */
  list(datasetId: number | undefined, limit: number): BackfillRun[];
}

const SELECT_RUN = `
  SELECT r.id, d.name AS dataset, r.trigger, r.from_ordinal AS fromOrdinal, r.to_ordinal AS toOrdinal,
         r.requested, r.filled, r.failed, r.not_found AS notFound,
         r.started_at AS startedAt, r.finished_at AS finishedAt
  FROM backfill_runs r JOIN datasets d ON d.id = r.dataset_id`;

export function createSqliteBackfillRuns(db: SqliteDatabase): SqliteBackfillRuns {
  const insert = db.prepare(
    'INSERT INTO backfill_runs (dataset_id, trigger, from_ordinal, to_ordinal, started_at) VALUES (?, ?, ?, ?, ?)',
  );
  const updateRequested = db.prepare(
    'UPDATE backfill_runs SET requested = ?, finished_at = CASE WHEN ? = 0 THEN ? END WHERE id = ?',
  );
  const bumps: Record<RunCounter, SqliteStatement> = {
    filled: db.prepare('UPDATE backfill_runs SET filled = filled + 1 WHERE id = ?'),
    failed: db.prepare('UPDATE backfill_runs SET failed = failed + 1 WHERE id = ?'),
    not_found: db.prepare('UPDATE backfill_runs SET not_found = not_found + 1 WHERE id = ?'),
  };
  const finish = db.prepare(`
    UPDATE backfill_runs SET finished_at = ?
    WHERE id = ? AND finished_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM backfill_items WHERE run_id = ? AND state IN ('pending', 'running'))`);
  const byId = db.prepare(`${SELECT_RUN} WHERE r.id = ?`);
  const newest = db.prepare(`${SELECT_RUN} ORDER BY r.id DESC LIMIT ?`);
  const newestOf = db.prepare(`${SELECT_RUN} WHERE r.dataset_id = ? ORDER BY r.id DESC LIMIT ?`);

  const get = (runId: number) => byId.get(runId) as BackfillRun | undefined;

  return {
    open: (datasetId, trigger, from, to, nowMs) =>
      Number(insert.run(datasetId, trigger, from, to, nowMs).lastInsertRowid),
    setRequested(runId, requested, nowMs) {
      updateRequested.run(requested, requested, nowMs, runId);
    },
    bump(runId, counter) {
      bumps[counter].run(runId);
    },
    finishIfDone(runId, nowMs) {
      return finish.run(nowMs, runId, runId).changes > 0 ? get(runId) : undefined;
    },
    get,
    list: (datasetId, limit) =>
      (datasetId === undefined ? newest.all(limit) : newestOf.all(datasetId, limit)) as BackfillRun[],
  };
}

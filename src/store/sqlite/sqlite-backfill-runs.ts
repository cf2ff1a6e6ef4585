import type { BackfillRun, BackfillRunCursor } from '../store.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-connection.js';

/** Outcome counters a settlement can move. */
export type RunCounter = 'filled' | 'failed' | 'not_found';

/** Backfill runs: one row per request to fill a set of ordinals, with its counters. */
export interface SqliteBackfillRuns {
  /** Opens a run with nothing requested yet; returns its id. Call inside a transaction. */
  open(datasetId: number, trigger: BackfillRun['trigger'], from: number, to: number, nowMs: number): number;
  /** Opens a run over `[from, to]` to be queued piece by piece (its cursor at `from - 1`); returns its id. */
  openRange(
    datasetId: number,
    trigger: BackfillRun['trigger'],
    from: number,
    to: number,
    nowMs: number,
  ): number;
  /** Runs of the dataset still being queued piece by piece, oldest first. */
  feeding(datasetId: number): BackfillRunCursor[];
  /** The cursor of a run (undefined when it has none or does not exist). */
  cursor(runId: number): BackfillRunCursor | undefined;
  /** Moves an unfinished run's cursor from `expected` to `through`; false when it was not at `expected`. */
  advance(runId: number, expected: number, through: number): boolean;
  /** Adds to how many items the run queued. */
  addRequested(runId: number, n: number): void;
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
  const insertRange = db.prepare(
    `INSERT INTO backfill_runs (dataset_id, trigger, from_ordinal, to_ordinal, started_at, queued_through)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const CURSOR = `SELECT r.id, d.name AS dataset, r.from_ordinal AS fromOrdinal, r.to_ordinal AS toOrdinal,
      r.queued_through AS queuedThrough FROM backfill_runs r JOIN datasets d ON d.id = r.dataset_id`;
  const feedingOf = db.prepare(`${CURSOR}
    WHERE r.dataset_id = ? AND r.finished_at IS NULL AND r.queued_through IS NOT NULL
      AND r.queued_through < r.to_ordinal
    ORDER BY r.id`);
  const cursorOf = db.prepare(`${CURSOR} WHERE r.id = ? AND r.queued_through IS NOT NULL`);
  const advanceCursor = db.prepare(
    'UPDATE backfill_runs SET queued_through = ? WHERE id = ? AND queued_through = ? AND finished_at IS NULL',
  );
  const addRequested = db.prepare('UPDATE backfill_runs SET requested = requested + ? WHERE id = ?');
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
      AND (queued_through IS NULL OR queued_through >= to_ordinal)
      AND NOT EXISTS (SELECT 1 FROM backfill_items WHERE run_id = ? AND state IN ('pending', 'running'))`);
  const byId = db.prepare(`${SELECT_RUN} WHERE r.id = ?`);
  const newest = db.prepare(`${SELECT_RUN} ORDER BY r.id DESC LIMIT ?`);
  const newestOf = db.prepare(`${SELECT_RUN} WHERE r.dataset_id = ? ORDER BY r.id DESC LIMIT ?`);

  const get = (runId: number) => byId.get(runId) as BackfillRun | undefined;

  return {
    open: (datasetId, trigger, from, to, nowMs) =>
      Number(insert.run(datasetId, trigger, from, to, nowMs).lastInsertRowid),
    openRange: (datasetId, trigger, from, to, nowMs) =>
      Number(insertRange.run(datasetId, trigger, from, to, nowMs, from - 1).lastInsertRowid),
    feeding: (datasetId) => feedingOf.all(datasetId) as BackfillRunCursor[],
    cursor: (runId) => cursorOf.get(runId) as BackfillRunCursor | undefined,
    advance: (runId, expected, through) => advanceCursor.run(through, runId, expected).changes > 0,
    addRequested(runId, n) {
      if (n > 0) addRequested.run(n, runId);
    },
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

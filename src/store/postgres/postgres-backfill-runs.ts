import type { BackfillRun, BackfillRunCursor } from '../store.js';
import type { PgClient } from './postgres-connection.js';

/** Outcome counters a settlement can move. */
export type RunCounter = 'filled' | 'failed' | 'not_found';

/** Backfill runs: one row per request to fill a set of ordinals, with its counters. */
export interface PostgresBackfillRuns {
  /** Opens a run with nothing requested yet; returns its id. Call inside a transaction. */
  open(
    c: PgClient,
    datasetId: number,
    trigger: BackfillRun['trigger'],
    from: number,
    to: number,
    nowMs: number,
  ): Promise<number>;
  /** Opens a run over `[from, to]` to be queued piece by piece (its cursor at `from - 1`); returns its id. */
  openRange(
    c: PgClient,
    datasetId: number,
    trigger: BackfillRun['trigger'],
    from: number,
    to: number,
    nowMs: number,
  ): Promise<number>;
  /** Runs of the dataset still being queued piece by piece, oldest first. */
  feeding(c: PgClient, datasetId: number): Promise<BackfillRunCursor[]>;
  /**
   * Moves an unfinished run's cursor from `expected` to `through` (locking the run row);
   * returns its dataset id, or undefined when it has no cursor or it was not at `expected`.
   */
  advance(c: PgClient, runId: number, expected: number, through: number): Promise<number | undefined>;
  /** Adds to how many items the run queued. */
  addRequested(c: PgClient, runId: number, n: number): Promise<void>;
  /** Sets how many items the run queued; a run that queued none is finished at once. */
  setRequested(c: PgClient, runId: number, requested: number, nowMs: number): Promise<void>;
  bump(c: PgClient, runId: number, counter: RunCounter): Promise<void>;
  /** Finishes the run if none of its items is pending or running; returns it when it finished now. */
  finishIfDone(c: PgClient, runId: number, nowMs: number): Promise<BackfillRun | undefined>;
  get(c: PgClient, runId: number): Promise<BackfillRun | undefined>;
  /** Newest first. */
  list(c: PgClient, datasetId: number | undefined, limit: number): Promise<BackfillRun[]>;
}

const RUN_COLUMNS = `r.id, d.name AS dataset, r.trigger, r.from_ordinal AS "fromOrdinal", r.to_ordinal AS "toOrdinal",
  r.requested, r.filled, r.failed, r.not_found AS "notFound",
  r.started_at AS "startedAt", r.finished_at AS "finishedAt"`;
const SELECT_RUN = `SELECT ${RUN_COLUMNS} FROM backfill_runs r JOIN datasets d ON d.id = r.dataset_id`;

// The counter's column name is chosen from this fixed map, never from input.
const BUMPS: Record<RunCounter, string> = {
  filled: 'UPDATE backfill_runs SET filled = filled + 1 WHERE id = $1',
  failed: 'UPDATE backfill_runs SET failed = failed + 1 WHERE id = $1',
  not_found: 'UPDATE backfill_runs SET not_found = not_found + 1 WHERE id = $1',
};

export function createPostgresBackfillRuns(): PostgresBackfillRuns {
  const get = async (c: PgClient, runId: number) =>
    (await c.query<BackfillRun>(`${SELECT_RUN} WHERE r.id = $1`, [runId])).rows[0];

  return {
    async open(c, datasetId, trigger, from, to, nowMs) {
      const { rows } = await c.query<[number]>({
        text: `INSERT INTO backfill_runs (dataset_id, trigger, from_ordinal, to_ordinal, started_at)
               VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        values: [datasetId, trigger, from, to, nowMs],
        rowMode: 'array',
      });
      return rows[0]![0];
    },
    async openRange(c, datasetId, trigger, from, to, nowMs) {
      const { rows } = await c.query<[number]>({
        text: `INSERT INTO backfill_runs (dataset_id, trigger, from_ordinal, to_ordinal, started_at, queued_through)
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        values: [datasetId, trigger, from, to, nowMs, from - 1],
        rowMode: 'array',
      });
      return rows[0]![0];
    },
    async feeding(c, datasetId) {
      const { rows } = await c.query<BackfillRunCursor>(
        `SELECT r.id, d.name AS dataset, r.from_ordinal AS "fromOrdinal", r.to_ordinal AS "toOrdinal",
                r.queued_through AS "queuedThrough"
         FROM backfill_runs r JOIN datasets d ON d.id = r.dataset_id
         WHERE r.dataset_id = $1 AND r.finished_at IS NULL AND r.queued_through IS NOT NULL
           AND r.queued_through < r.to_ordinal
         ORDER BY r.id`,
        [datasetId],
      );
      return rows;
    },
    async advance(c, runId, expected, through) {
      const { rows } = await c.query<[number]>({
        text: `UPDATE backfill_runs SET queued_through = $1
               WHERE id = $2 AND queued_through = $3 AND finished_at IS NULL RETURNING dataset_id`,
        values: [through, runId, expected],
        rowMode: 'array',
      });
      return rows[0]?.[0];
    },
    async addRequested(c, runId, n) {
      if (n > 0)
        await c.query('UPDATE backfill_runs SET requested = requested + $1 WHERE id = $2', [n, runId]);
    },
    async setRequested(c, runId, requested, nowMs) {
      await c.query(
        'UPDATE backfill_runs SET requested = $1, finished_at = CASE WHEN $1 = 0 THEN $2::bigint END WHERE id = $3',
        [requested, nowMs, runId],
      );
    },
    async bump(c, runId, counter) {
      await c.query(BUMPS[counter], [runId]);
    },
    async finishIfDone(c, runId, nowMs) {
      const { rowCount } = await c.query(
        `UPDATE backfill_runs SET finished_at = $1
         WHERE id = $2 AND finished_at IS NULL
           AND (queued_through IS NULL OR queued_through >= to_ordinal)
           AND NOT EXISTS (SELECT 1 FROM backfill_items WHERE run_id = $2 AND state IN ('pending', 'running'))`,
        [nowMs, runId],
      );
      return rowCount ? get(c, runId) : undefined;
    },
    get,
    async list(c, datasetId, limit) {
      const { rows } =
        datasetId === undefined
          ? await c.query<BackfillRun>(`${SELECT_RUN} ORDER BY r.id DESC LIMIT $1`, [limit])
          : await c.query<BackfillRun>(`${SELECT_RUN} WHERE r.dataset_id = $1 ORDER BY r.id DESC LIMIT $2`, [
              datasetId,
              limit,
            ]);
      return rows;
    },
  };
}

import type {
  BackfillClaimer,
  BackfillFeed,
  BackfillItem,
  BackfillItemState,
  BackfillRun,
  BackfillSettlement,
} from '../store.js';
import type { SqliteBackfillRuns } from './sqlite-backfill-runs.js';
import type { SqliteDatabase } from './sqlite-connection.js';
import type { SqliteCoverage } from './sqlite-coverage.js';
import type { SqliteDatasets } from './sqlite-datasets.js';
import { createMultiRowStatements, ROWS_PER_STATEMENT } from './sqlite-multi-row.js';

/** The backfill queue: one row per (dataset, ordinal) waiting, being worked, or failed. */
export interface SqliteBackfillQueue {
  createRun(
    datasetId: number,
    trigger: BackfillRun['trigger'],
    ordinals: readonly number[],
    nowMs: number,
  ): BackfillRun;
  openRun(
    datasetId: number,
    trigger: BackfillRun['trigger'],
    from: number,
    to: number,
    nowMs: number,
  ): BackfillRun;
  feed(
    runId: number,
    expectedThrough: number,
    ordinals: readonly number[],
    through: number,
    nowMs: number,
  ): BackfillFeed | undefined;
  claim(
    nowMs: number,
    limit: number,
    leaseMs: number,
    datasetId: number | undefined,
    claimer: BackfillClaimer | undefined,
  ): BackfillItem[];
  holders(nowMs: number): string[];
  settle(settlements: readonly BackfillSettlement[], nowMs: number): BackfillRun[];
  list(datasetId: number, states: readonly BackfillItemState[], limit: number): BackfillItem[];
  count(datasetId: number): Record<BackfillItemState, number>;
}

/** The reason a `not_found` settlement records in known_missing. */
export const NOT_FOUND_REASON = 'source confirmed not found';

export const ALL_BACKFILL_STATES: readonly BackfillItemState[] = ['pending', 'running', 'failed'];

type ItemRow = [
  datasetId: number,
  ordinal: number,
  runId: number,
  state: BackfillItemState,
  attempts: number,
  nextAttemptAt: number,
  lastError: string | null,
];
const ITEM_COLUMNS = 'dataset_id, ordinal, run_id, state, attempts, next_attempt_at, last_error';

/**
 * The due items, in (dataset, ordinal) order: each arm walks the claim index for one state;
 * the last takes the live leases of holders provably gone (few rows: running items only).
 */
const due = (forDataset: boolean) => {
  const ds = forDataset ? 'AND dataset_id = @ds' : '';
  return `
    SELECT dataset_id, ordinal FROM backfill_items
      WHERE state = 'pending' AND next_attempt_at <= @now ${ds}
    UNION ALL
    SELECT dataset_id, ordinal FROM backfill_items
      WHERE state = 'running' AND lease_until <= @now ${ds}
    UNION ALL
    SELECT dataset_id, ordinal FROM backfill_items
      WHERE state = 'running' AND lease_until > @now ${ds} AND holder IN (SELECT value FROM json_each(@gone))
    ORDER BY 1, 2 LIMIT @limit`;
};

export function createSqliteBackfillQueue(
  db: SqliteDatabase,
  deps: { datasets: SqliteDatasets; runs: SqliteBackfillRuns; coverage: SqliteCoverage },
): SqliteBackfillQueue {
  const { datasets, runs, coverage } = deps;
  // A new ordinal is inserted; a failed one moves into the new run as fresh;
  // a pending or running one stays where it is (and is not counted).
  const enqueue = createMultiRowStatements(db, {
    head: `INSERT INTO backfill_items
             (dataset_id, ordinal, run_id, state, attempts, next_attempt_at, lease_until, last_error, updated_at)
           VALUES`,
    row: "(@d, ?, @run, 'pending', 0, @t, NULL, NULL, @t)",
    tail: `ON CONFLICT (dataset_id, ordinal) DO UPDATE SET
             run_id = excluded.run_id, state = 'pending', attempts = 0,
             next_attempt_at = excluded.next_attempt_at, lease_until = NULL, last_error = NULL,
             updated_at = excluded.updated_at
           WHERE state = 'failed'`,
    paramsPerRow: 1,
  });
  const dueAll = db.prepare(due(false)).raw();
  const dueOne = db.prepare(due(true)).raw();
  // One UPDATE per claimed item by primary key: an UPDATE ... WHERE (dataset_id,
  // ordinal) IN (subquery) was planned as a scan of the whole queue.
  const claimItem = db
    .prepare(`
      UPDATE backfill_items
      SET state = 'running', lease_until = ?, holder = ?, attempts = attempts + 1, updated_at = ?
      WHERE dataset_id = ? AND ordinal = ?
      RETURNING ${ITEM_COLUMNS}`)
    .raw();
  const selectItem = db
    .prepare('SELECT run_id, state FROM backfill_items WHERE dataset_id = ? AND ordinal = ?')
    .raw();
  const deleteItem = db.prepare('DELETE FROM backfill_items WHERE dataset_id = ? AND ordinal = ?');
  const deferItem = db.prepare(`
    UPDATE backfill_items
    SET state = 'pending', attempts = 0, next_attempt_at = ?, last_error = ?, lease_until = NULL, updated_at = ?
    WHERE dataset_id = ? AND ordinal = ?`);
  const retryItem = db.prepare(`
    UPDATE backfill_items
    SET state = 'pending', next_attempt_at = ?, last_error = ?, lease_until = NULL, updated_at = ?
    WHERE dataset_id = ? AND ordinal = ?`);
  const failItem = db.prepare(`
    UPDATE backfill_items SET state = 'failed', last_error = ?, lease_until = NULL, updated_at = ?
    WHERE dataset_id = ? AND ordinal = ?`);
  const selectItems = db
    .prepare(`
      SELECT ${ITEM_COLUMNS} FROM backfill_items
      WHERE dataset_id = ? AND state IN (SELECT value FROM json_each(?))
      ORDER BY ordinal LIMIT ?`)
    .raw();
  const liveHolders = db
    .prepare(
      "SELECT DISTINCT holder FROM backfill_items WHERE state = 'running' AND lease_until > ? AND holder IS NOT NULL",
    )
    .pluck();
  const countStates = db
    .prepare('SELECT state, count(*) FROM backfill_items WHERE dataset_id = ? GROUP BY state')
    .raw();

  const toItem = (row: ItemRow): BackfillItem => ({
    dataset: datasets.nameOf(row[0]),
    ordinal: row[1],
    runId: row[2],
    state: row[3],
    attempts: row[4],
    nextAttemptAt: row[5],
    lastError: row[6],
  });

  const createRun = (
    datasetId: number,
    trigger: BackfillRun['trigger'],
    ordinals: readonly number[],
    nowMs: number,
  ) => {
    let from = 0;
    let to = 0;
    if (ordinals.length > 0) {
      from = Number.POSITIVE_INFINITY;
      to = Number.NEGATIVE_INFINITY;
      for (const o of ordinals) {
        if (o < from) from = o;
        if (o > to) to = o;
      }
    }
    const runId = runs.open(datasetId, trigger, from, to, nowMs);
    runs.setRequested(runId, enqueueInto(datasetId, runId, ordinals, nowMs), nowMs);
    return runs.get(runId)!;
  };

  /** Queues ordinals into a run; returns how many were new (or moved from failed). */
  function enqueueInto(datasetId: number, runId: number, ordinals: readonly number[], nowMs: number): number {
    const named = { d: datasetId, run: runId, t: nowMs };
    let queued = 0;
    for (let offset = 0; offset < ordinals.length; offset += ROWS_PER_STATEMENT) {
      const size = Math.min(ROWS_PER_STATEMENT, ordinals.length - offset);
      const { statement, args } = enqueue.slot(size);
      for (let i = 0; i < size; i++) args[i] = ordinals[offset + i];
      queued += statement.run(args, named).changes;
    }
    return queued;
  }

  const feed = (
    runId: number,
    expected: number,
    ordinals: readonly number[],
    through: number,
    nowMs: number,
  ) => {
    const cursor = runs.cursor(runId);
    if (!cursor || !runs.advance(runId, expected, through)) return undefined;
    const queued = enqueueInto(datasets.idOf(cursor.dataset), runId, ordinals, nowMs);
    runs.addRequested(runId, queued);
    runs.finishIfDone(runId, nowMs);
    return { run: runs.get(runId)!, queued, queuedThrough: through };
  };

  const claim = (
    nowMs: number,
    limit: number,
    leaseMs: number,
    datasetId: number | undefined,
    claimer: BackfillClaimer | undefined,
  ) => {
    const params = { now: nowMs, limit, gone: JSON.stringify(claimer?.goneHolders ?? []) };
    const keys = (
      datasetId === undefined ? dueAll.all(params) : dueOne.all({ ...params, ds: datasetId })
    ) as [datasetId: number, ordinal: number][];
    const lease = nowMs + leaseMs;
    const holder = claimer?.holder ?? null;
    return keys.map(([d, o]) => toItem(claimItem.get(lease, holder, nowMs, d, o) as ItemRow));
  };

  const settle = (settlements: readonly BackfillSettlement[], nowMs: number) => {
    const touched = new Set<number>();
    for (const { dataset, ordinal, outcome } of settlements) {
      const datasetId = datasets.idOf(dataset);
      const item = selectItem.get(datasetId, ordinal) as
        | [runId: number, state: BackfillItemState]
        | undefined;
      // Already settled (e.g. by a worker whose lease had expired and was
      // re-claimed): the first settlement stands.
      if (!item) continue;
      const [runId, state] = item;
      touched.add(runId);
      switch (outcome.kind) {
        case 'filled':
          deleteItem.run(datasetId, ordinal);
          runs.bump(runId, 'filled');
          break;
        case 'not_found':
          deleteItem.run(datasetId, ordinal);
          coverage.insertKnownMissing(datasetId, [ordinal], NOT_FOUND_REASON, nowMs);
          runs.bump(runId, 'not_found');
          break;
        case 'defer':
          deferItem.run(outcome.nextAttemptAt, outcome.reason, nowMs, datasetId, ordinal);
          break;
        case 'retry':
          retryItem.run(outcome.nextAttemptAt, outcome.error, nowMs, datasetId, ordinal);
          break;
        case 'failed':
          failItem.run(outcome.error, nowMs, datasetId, ordinal);
          if (state !== 'failed') runs.bump(runId, 'failed');
          break;
        default:
          throw new RangeError(`unknown backfill outcome ${JSON.stringify(outcome)}`);
      }
    }
    const finished: BackfillRun[] = [];
    for (const runId of [...touched].sort((a, b) => a - b)) {
      const run = runs.finishIfDone(runId, nowMs);
      if (run) finished.push(run);
    }
    return finished;
  };

  return {
    createRun,
    openRun: (datasetId, trigger, from, to, nowMs) =>
      runs.get(runs.openRange(datasetId, trigger, from, to, nowMs))!,
    feed,
    // The write transaction is IMMEDIATE: the write lock is taken before the due items
    // are read, so two processes can never both read the same item as due.
    claim: (nowMs, limit, leaseMs, datasetId, claimer) =>
      limit <= 0 ? [] : claim(nowMs, limit, leaseMs, datasetId, claimer),
    holders: (nowMs) => liveHolders.all(nowMs) as string[],
    settle: (settlements, nowMs) => (settlements.length === 0 ? [] : settle(settlements, nowMs)),
    list(datasetId, states, limit) {
      return (selectItems.all(datasetId, JSON.stringify(states), limit) as ItemRow[]).map(toItem);
    },
    count(datasetId) {
      const out: Record<BackfillItemState, number> = { pending: 0, running: 0, failed: 0 };
      for (const [state, n] of countStates.all(datasetId) as [BackfillItemState, number][]) out[state] = n;
      return out;
    },
  };
}

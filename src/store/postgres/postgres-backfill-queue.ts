import type {
  BackfillClaimer,
  BackfillFeed,
  BackfillItem,
  BackfillItemState,
  BackfillRun,
  BackfillSettlement,
} from '../store.js';
import type { PostgresBackfillRuns } from './postgres-backfill-runs.js';
import type { PgClient } from './postgres-connection.js';
import { int8ArrayLiteral, type PostgresCoverage } from './postgres-coverage.js';
import type { PostgresDatasets } from './postgres-datasets.js';

/** The backfill queue: one row per (dataset, ordinal) waiting, being worked, or failed. Every method runs in the caller's transaction. */
export interface PostgresBackfillQueue {
  createRun(
    c: PgClient,
    datasetId: number,
    trigger: BackfillRun['trigger'],
    ordinals: readonly number[],
    nowMs: number,
  ): Promise<BackfillRun>;
  openRun(
    c: PgClient,
    datasetId: number,
    trigger: BackfillRun['trigger'],
    from: number,
    to: number,
    nowMs: number,
  ): Promise<BackfillRun>;
  feed(
    c: PgClient,
    runId: number,
    expectedThrough: number,
    ordinals: readonly number[],
    through: number,
    nowMs: number,
  ): Promise<BackfillFeed | undefined>;
  claim(
    c: PgClient,
    nowMs: number,
    limit: number,
    leaseMs: number,
    datasetId: number | undefined,
    claimer: BackfillClaimer | undefined,
  ): Promise<BackfillItem[]>;
  holders(c: PgClient, nowMs: number): Promise<string[]>;
  settle(c: PgClient, settlements: readonly BackfillSettlement[], nowMs: number): Promise<BackfillRun[]>;
  list(
    c: PgClient,
    datasetId: number,
    states: readonly BackfillItemState[],
    limit: number | null,
  ): Promise<BackfillItem[]>;
  count(c: PgClient, datasetId: number): Promise<Record<BackfillItemState, number>>;
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
const ITEM_COLUMN_NAMES = [
  'dataset_id',
  'ordinal',
  'run_id',
  'state',
  'attempts',
  'next_attempt_at',
  'last_error',
];
const ITEM_COLUMNS = ITEM_COLUMN_NAMES.join(', ');

// A new ordinal is inserted; a failed one moves into the new run as fresh; a
// pending or running one stays where it is (and is not counted). The ordinals
// must be distinct: one INSERT ... ON CONFLICT DO UPDATE may not touch a row twice.
const ENQUEUE = `
  INSERT INTO backfill_items
    (dataset_id, ordinal, run_id, state, attempts, next_attempt_at, lease_until, last_error, updated_at)
  SELECT $1, o, $2, 'pending', 0, $3, NULL, NULL, $3 FROM unnest($4::bigint[]) AS o
  ON CONFLICT (dataset_id, ordinal) DO UPDATE SET
    run_id = excluded.run_id, state = 'pending', attempts = 0,
    next_attempt_at = excluded.next_attempt_at, lease_until = NULL, last_error = NULL,
    updated_at = excluded.updated_at
  WHERE backfill_items.state = 'failed'`;

/**
 * Claims due items in one statement. Each arm walks one state's partial index
 * in (dataset, ordinal) order and locks what it takes with SKIP LOCKED, so
 * concurrent claimers (other connections, other processes) pass over each
 * other's rows instead of waiting or taking them twice; a row another claimer
 * committed meanwhile is re-checked against the WHERE and dropped. The first
 * `limit` of both arms get the lease; rows locked by an arm but not chosen are
 * released at commit.
 */
const claimSql = (forDataset: boolean) => {
  const ds = forDataset ? 'AND dataset_id = $6' : '';
  return `
    WITH pending AS (
      SELECT dataset_id, ordinal FROM backfill_items
      WHERE state = 'pending' AND next_attempt_at <= $1 ${ds}
      ORDER BY dataset_id, ordinal LIMIT $2 FOR UPDATE SKIP LOCKED
    ), expired AS (
      SELECT dataset_id, ordinal FROM backfill_items
      WHERE state = 'running' AND lease_until <= $1 ${ds}
      ORDER BY dataset_id, ordinal LIMIT $2 FOR UPDATE SKIP LOCKED
    ), orphaned AS (
      SELECT dataset_id, ordinal FROM backfill_items
      WHERE state = 'running' AND lease_until > $1 AND holder = ANY ($5::text[]) ${ds}
      ORDER BY dataset_id, ordinal LIMIT $2 FOR UPDATE SKIP LOCKED
    ), due AS (
      SELECT * FROM pending UNION ALL SELECT * FROM expired UNION ALL SELECT * FROM orphaned
      ORDER BY 1, 2 LIMIT $2
    )
    UPDATE backfill_items b
    SET state = 'running', lease_until = $3, holder = $4, attempts = b.attempts + 1, updated_at = $1
    FROM due WHERE b.dataset_id = due.dataset_id AND b.ordinal = due.ordinal
    RETURNING ${ITEM_COLUMN_NAMES.map((name) => `b.${name}`).join(', ')}`;
};
const CLAIM_ALL = claimSql(false);
const CLAIM_ONE = claimSql(true);

/** Queues ordinals into a run; returns how many were new (or moved from failed). */
async function enqueueInto(
  c: PgClient,
  datasetId: number,
  runId: number,
  ordinals: readonly number[],
  nowMs: number,
): Promise<number> {
  if (ordinals.length === 0) return 0;
  // Deduplicated here: a JS Set is far cheaper than DISTINCT in the statement.
  const distinct = [...new Set(ordinals)];
  const res = await c.query(ENQUEUE, [datasetId, runId, nowMs, int8ArrayLiteral(distinct)]);
  return res.rowCount ?? 0;
}

export function createPostgresBackfillQueue(deps: {
  datasets: PostgresDatasets;
  runs: PostgresBackfillRuns;
  coverage: PostgresCoverage;
}): PostgresBackfillQueue {
  const { datasets, runs, coverage } = deps;
  const toItems = async (c: PgClient, rows: ItemRow[]): Promise<BackfillItem[]> => {
    const items: BackfillItem[] = [];
    for (const row of rows) {
      items.push({
        dataset: await datasets.nameOf(c, row[0]),
        ordinal: row[1],
        runId: row[2],
        state: row[3],
        attempts: row[4],
        nextAttemptAt: row[5],
        lastError: row[6],
      });
    }
    return items;
  };

  return {
    async createRun(c, datasetId, trigger, ordinals, nowMs) {
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
      const runId = await runs.open(c, datasetId, trigger, from, to, nowMs);
      const requested = await enqueueInto(c, datasetId, runId, ordinals, nowMs);
      await runs.setRequested(c, runId, requested, nowMs);
      return (await runs.get(c, runId))!;
    },
    async openRun(c, datasetId, trigger, from, to, nowMs) {
      return (await runs.get(c, await runs.openRange(c, datasetId, trigger, from, to, nowMs)))!;
    },
    async feed(c, runId, expected, ordinals, through, nowMs) {
      // The run row stays locked to COMMIT: a second feeder waits, then finds the cursor moved.
      const datasetId = await runs.advance(c, runId, expected, through);
      if (datasetId === undefined) return undefined;
      const queued = await enqueueInto(c, datasetId, runId, ordinals, nowMs);
      await runs.addRequested(c, runId, queued);
      await runs.finishIfDone(c, runId, nowMs);
      return { run: (await runs.get(c, runId))!, queued, queuedThrough: through };
    },
    async claim(c, nowMs, limit, leaseMs, datasetId, claimer) {
      if (limit <= 0) return [];
      const values = [nowMs, limit, nowMs + leaseMs, claimer?.holder ?? null, claimer?.goneHolders ?? []];
      const { rows } = await c.query<ItemRow>({
        text: datasetId === undefined ? CLAIM_ALL : CLAIM_ONE,
        values: datasetId === undefined ? values : [...values, datasetId],
        rowMode: 'array',
      });
      // UPDATE ... RETURNING has no order; the contract's is (dataset registration, ordinal).
      rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      return toItems(c, rows);
    },
    async holders(c, nowMs) {
      const { rows } = await c.query<{ holder: string }>(
        "SELECT DISTINCT holder FROM backfill_items WHERE state = 'running' AND lease_until > $1 AND holder IS NOT NULL",
        [nowMs],
      );
      return rows.map((r) => r.holder);
    },
    async settle(c, settlements, nowMs) {
      const touched = new Set<number>();
      for (const { dataset, ordinal, outcome } of settlements) {
        const datasetId = await datasets.idOf(c, dataset);
        // FOR UPDATE: a second settler of the same item waits here, then finds it gone or changed.
        const { rows } = await c.query<[runId: number, state: BackfillItemState]>({
          text: 'SELECT run_id, state FROM backfill_items WHERE dataset_id = $1 AND ordinal = $2 FOR UPDATE',
          values: [datasetId, ordinal],
          rowMode: 'array',
        });
        // Already settled (e.g. by a worker whose lease had expired and was
        // re-claimed): the first settlement stands.
        const item = rows[0];
        if (!item) continue;
        const [runId, state] = item;
        touched.add(runId);
        const key = [datasetId, ordinal];
        switch (outcome.kind) {
          case 'filled':
            await c.query('DELETE FROM backfill_items WHERE dataset_id = $1 AND ordinal = $2', key);
            await runs.bump(c, runId, 'filled');
            break;
          case 'not_found':
            await c.query('DELETE FROM backfill_items WHERE dataset_id = $1 AND ordinal = $2', key);
            await coverage.insertKnownMissing(c, datasetId, [ordinal], NOT_FOUND_REASON, nowMs);
            await runs.bump(c, runId, 'not_found');
            break;
          case 'defer':
            await c.query(
              `UPDATE backfill_items
               SET state = 'pending', attempts = 0, next_attempt_at = $3, last_error = $4, lease_until = NULL,
                   updated_at = $5
               WHERE dataset_id = $1 AND ordinal = $2`,
              [...key, outcome.nextAttemptAt, outcome.reason, nowMs],
            );
            break;
          case 'retry':
            await c.query(
              `UPDATE backfill_items
               SET state = 'pending', next_attempt_at = $3, last_error = $4, lease_until = NULL, updated_at = $5
               WHERE dataset_id = $1 AND ordinal = $2`,
              [...key, outcome.nextAttemptAt, outcome.error, nowMs],
            );
            break;
          case 'failed':
            await c.query(
              `UPDATE backfill_items SET state = 'failed', last_error = $3, lease_until = NULL, updated_at = $4
               WHERE dataset_id = $1 AND ordinal = $2`,
              [...key, outcome.error, nowMs],
            );
            if (state !== 'failed') await runs.bump(c, runId, 'failed');
            break;
          default:
            throw new RangeError(`unknown backfill outcome ${JSON.stringify(outcome)}`);
        }
      }
      const finished: BackfillRun[] = [];
      for (const runId of [...touched].sort((a, b) => a - b)) {
        const run = await runs.finishIfDone(c, runId, nowMs);
        if (run) finished.push(run);
      }
      return finished;
    },
    async list(c, datasetId, states, limit) {
      const { rows } = await c.query<ItemRow>({
        text: `SELECT ${ITEM_COLUMNS} FROM backfill_items
               WHERE dataset_id = $1 AND state = ANY ($2::text[]) ORDER BY ordinal LIMIT $3`,
        values: [datasetId, states, limit],
        rowMode: 'array',
      });
      return toItems(c, rows);
    },
    async count(c, datasetId) {
      const out: Record<BackfillItemState, number> = { pending: 0, running: 0, failed: 0 };
      const { rows } = await c.query<[BackfillItemState, number]>({
        text: 'SELECT state, count(*) FROM backfill_items WHERE dataset_id = $1 GROUP BY state',
        values: [datasetId],
        rowMode: 'array',
      });
      for (const [state, n] of rows) out[state] = n;
      return out;
    },
  };
}

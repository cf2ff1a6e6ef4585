import type { PostgresHandle } from '../../../../store/postgres/postgres-connection.js';
import { ACTION_COLUMNS, RUN_COLUMNS, toAction, toRun } from '../repair-rows.js';
import type { RepairStore } from '../repair-store.js';

type Row = Record<string, unknown>;
const ACTION_FIELDS = 8;

/** The repair journal on PostgreSQL: writes in `handle.transaction`, a batch's actions in one multi-row insert. */
export function createPostgresRepairStore(exec: PostgresHandle): RepairStore {
  const one = (rows: Row[]) => {
    const row = rows[0];
    if (!row) throw new Error('repair run vanished');
    return toRun(row);
  };
  return {
    createRun: (r) =>
      exec.transaction('recording a repair run', async (c) =>
        one(
          (
            await c.query<Row>(
              `INSERT INTO repair_runs (check_name, kind, status, batch_size, max_findings, keys, planned, batches,
                actor, started_at) VALUES ($1, $2, 'running', $3, $4, $5, $6, $7, $8, $9) RETURNING ${RUN_COLUMNS}`,
              [
                r.check,
                r.kind,
                r.batchSize,
                r.max,
                r.keys ? JSON.stringify(r.keys) : null,
                r.planned,
                r.batches,
                r.actor,
                r.startedAt,
              ],
            )
          ).rows,
        ),
      ),
    recordBatch: (runId, actions, c) =>
      exec.transaction('recording a repair batch', async (client) => {
        // At most 1,000 actions per statement: 8,000 parameters, far below the protocol's 65,535.
        for (let i = 0; i < actions.length; i += 1000) {
          const chunk = actions.slice(i, i + 1000);
          const values: unknown[] = [];
          const tuples = chunk.map((a, j) => {
            values.push(runId, a.seq, a.batch, a.key, a.outcome, JSON.stringify(a.change), a.error, a.at);
            const b = j * ACTION_FIELDS;
            return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`;
          });
          await client.query(
            `INSERT INTO repair_actions (run_id, seq, batch, finding_key, outcome, change, error, at) VALUES ${tuples.join(', ')}`,
            values,
          );
        }
        await client.query(
          `UPDATE repair_runs SET repaired = $1, unchanged = $2, fixed_meanwhile = $3, failed = $4, batches_done = $5
            WHERE id = $6`,
          [c.repaired, c.unchanged, c.fixedMeanwhile, c.failed, c.batchesDone, runId],
        );
      }),
    finishRun: (runId, status, error, at) =>
      exec.transaction('finishing a repair run', async (c) =>
        one(
          (
            await c.query<Row>(
              `UPDATE repair_runs SET status = $1, error = $2, finished_at = $3 WHERE id = $4 RETURNING ${RUN_COLUMNS}`,
              [status, error, at, runId],
            )
          ).rows,
        ),
      ),
    getRun: (id) =>
      exec.read('reading a repair run', async (c) => {
        const row = (await c.query<Row>(`SELECT ${RUN_COLUMNS} FROM repair_runs WHERE id = $1`, [id]))
          .rows[0];
        return row ? toRun(row) : undefined;
      }),
    listRuns: (q) =>
      exec.read('listing repair runs', async (c) =>
        (
          await c.query<Row>(
            `SELECT ${RUN_COLUMNS} FROM repair_runs WHERE ($1::text IS NULL OR check_name = $1) ORDER BY id DESC LIMIT $2`,
            [q.check ?? null, q.limit],
          )
        ).rows.map(toRun),
      ),
    actions: (runId, options = {}) =>
      exec.read('reading repair actions', async (c) =>
        (
          await c.query<Row>(
            `SELECT ${ACTION_COLUMNS} FROM repair_actions WHERE run_id = $1${options.repairedOnly ? " AND outcome = 'repaired'" : ''}
              ORDER BY seq`,
            [runId],
          )
        ).rows.map(toAction),
      ),
    claimRollback: (id, at) =>
      exec.transaction('claiming a rollback', async (c) => {
        const claimed = await c.query<Row>(
          `UPDATE repair_runs SET rollback_status = 'running', rollback_at = $1, rollback_error = NULL
            WHERE id = $2 AND status <> 'running' AND (rollback_status IS NULL OR rollback_status = 'failed')
            RETURNING ${RUN_COLUMNS}`,
          [at, id],
        );
        if (claimed.rows[0]) return { claimed: true as const, run: toRun(claimed.rows[0]) };
        const row = (await c.query<Row>(`SELECT ${RUN_COLUMNS} FROM repair_runs WHERE id = $1`, [id]))
          .rows[0];
        return { claimed: false as const, run: row ? toRun(row) : undefined };
      }),
    markActionUndone: async (runId, seq, at) => {
      await exec.transaction('marking a repair action undone', (c) =>
        c.query('UPDATE repair_actions SET rolled_back_at = $1 WHERE run_id = $2 AND seq = $3', [
          at,
          runId,
          seq,
        ]),
      );
    },
    finishRollback: (id, outcome, error, at) =>
      exec.transaction('finishing a rollback', async (c) => {
        if (outcome === 'done') {
          await c.query(
            `UPDATE repair_actions SET rolled_back_at = $1 WHERE run_id = $2 AND outcome = 'repaired' AND rolled_back_at IS NULL`,
            [at, id],
          );
        }
        return one(
          (
            await c.query<Row>(
              `UPDATE repair_runs SET rollback_status = $1, rollback_at = $2, rollback_error = $3 WHERE id = $4
                RETURNING ${RUN_COLUMNS}`,
              [outcome === 'refused' ? null : outcome, at, error, id],
            )
          ).rows,
        );
      }),
  };
}

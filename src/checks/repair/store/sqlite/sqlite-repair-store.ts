import type { SqliteHandle, SqliteStatement } from '../../../../store/sqlite/sqlite-connection.js';
import { ACTION_COLUMNS, RUN_COLUMNS, toAction, toRun } from '../repair-rows.js';
import type { RepairStore } from '../repair-store.js';

type Row = Record<string, unknown>;

/** The repair journal on SQLite: every write in one `handle.write` transaction. */
export function createSqliteRepairStore(handle: SqliteHandle): RepairStore {
  const { db, write, read } = handle;
  const inserts = new Map<number, SqliteStatement>();
  const byId = (id: number) => {
    const row = db.prepare(`SELECT ${RUN_COLUMNS} FROM repair_runs WHERE id = ?`).get(id) as Row | undefined;
    return row ? toRun(row) : undefined;
  };
  const mustGet = (id: number) => {
    const run = byId(id);
    if (!run) throw new Error(`repair run ${id} vanished`);
    return run;
  };
  return {
    async createRun(r) {
      return write('recording a repair run', () => {
        const { lastInsertRowid } = db
          .prepare(`INSERT INTO repair_runs (check_name, kind, status, batch_size, max_findings, keys, planned,
              batches, actor, started_at) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`)
          .run(
            r.check,
            r.kind,
            r.batchSize,
            r.max,
            r.keys ? JSON.stringify(r.keys) : null,
            r.planned,
            r.batches,
            r.actor,
            r.startedAt,
          );
        return mustGet(Number(lastInsertRowid));
      });
    },
    async recordBatch(runId, actions, c) {
      write('recording a repair batch', () => {
        // Multi-row inserts of up to 100 actions: one statement step per 100 rows, not per row.
        for (let i = 0; i < actions.length; i += 100) {
          const chunk = actions.slice(i, i + 100);
          const sql = `INSERT INTO repair_actions (run_id, seq, batch, finding_key, outcome, change, error, at) VALUES ${chunk
            .map(() => '(?, ?, ?, ?, ?, ?, ?, ?)')
            .join(', ')}`;
          let statement = inserts.get(chunk.length);
          if (!statement) {
            statement = db.prepare(sql);
            inserts.set(chunk.length, statement);
          }
          statement.run(
            chunk.flatMap((a) => [
              runId,
              a.seq,
              a.batch,
              a.key,
              a.outcome,
              JSON.stringify(a.change),
              a.error,
              a.at,
            ]),
          );
        }
        db.prepare(`UPDATE repair_runs SET repaired = ?, unchanged = ?, fixed_meanwhile = ?, failed = ?,
            batches_done = ? WHERE id = ?`).run(
          c.repaired,
          c.unchanged,
          c.fixedMeanwhile,
          c.failed,
          c.batchesDone,
          runId,
        );
      });
    },
    async finishRun(runId, status, error, at) {
      return write('finishing a repair run', () => {
        db.prepare('UPDATE repair_runs SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(
          status,
          error,
          at,
          runId,
        );
        return mustGet(runId);
      });
    },
    async getRun(id) {
      return read('reading a repair run', () => byId(id));
    },
    async listRuns(q) {
      return read('listing repair runs', () =>
        (
          db
            .prepare(
              `SELECT ${RUN_COLUMNS} FROM repair_runs WHERE (? IS NULL OR check_name = ?) ORDER BY id DESC LIMIT ?`,
            )
            .all(q.check ?? null, q.check ?? null, q.limit) as Row[]
        ).map(toRun),
      );
    },
    async actions(runId, options = {}) {
      const only = options.repairedOnly ? " AND outcome = 'repaired'" : '';
      return read('reading repair actions', () =>
        (
          db
            .prepare(`SELECT ${ACTION_COLUMNS} FROM repair_actions WHERE run_id = ?${only} ORDER BY seq`)
            .all(runId) as Row[]
        ).map(toAction),
      );
    },
    async claimRollback(id, at) {
      return write('claiming a rollback', () => {
        const changed = db
          .prepare(`UPDATE repair_runs SET rollback_status = 'running', rollback_at = ?, rollback_error = NULL
            WHERE id = ? AND status <> 'running' AND (rollback_status IS NULL OR rollback_status = 'failed')`)
          .run(at, id).changes;
        const run = byId(id);
        return changed === 1 && run ? { claimed: true as const, run } : { claimed: false as const, run };
      });
    },
    async markActionUndone(runId, seq, at) {
      write('marking a repair action undone', () => {
        db.prepare('UPDATE repair_actions SET rolled_back_at = ? WHERE run_id = ? AND seq = ?').run(
          at,
          runId,
          seq,
        );
      });
    },
    async finishRollback(id, outcome, error, at) {
      return write('finishing a rollback', () => {
        if (outcome === 'done') {
          db.prepare(
            `UPDATE repair_actions SET rolled_back_at = ? WHERE run_id = ? AND outcome = 'repaired' AND rolled_back_at IS NULL`,
          ).run(at, id);
        }
        const status = outcome === 'refused' ? null : outcome;
        db.prepare(
          'UPDATE repair_runs SET rollback_status = ?, rollback_at = ?, rollback_error = ? WHERE id = ?',
        ).run(status, at, error, id);
        return mustGet(id);
      });
    },
  };
}

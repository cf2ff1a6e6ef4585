import type { SqliteHandle } from '../../../store/sqlite/sqlite-connection.js';
import { LAST_RUNS, RUN_COLUMNS, runValues, TREND_SELECT, toRun, toTrendDay } from '../check-rows.js';
import type { CheckStore } from '../check-store.js';

type Row = Record<string, unknown>;
const MAX_ID = Number.MAX_SAFE_INTEGER;

export function createSqliteCheckStore(handle: SqliteHandle): CheckStore {
  const { db } = handle;
  // Prepared on first use: the part is built before `migrate()` creates its table.
  const prepare = () => ({
    insert: db.prepare(
      `INSERT INTO check_runs (${RUN_COLUMNS.replace('id, ', '')}) VALUES (${Array(21).fill('?').join(', ')}) RETURNING ${RUN_COLUMNS}`,
    ),
    byId: db.prepare(`SELECT ${RUN_COLUMNS} FROM check_runs WHERE id = ?`),
    list: db.prepare(
      `SELECT ${RUN_COLUMNS} FROM check_runs WHERE check_name = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    ),
    last: db.prepare(LAST_RUNS),
    trend: db.prepare(TREND_SELECT(() => '?')),
  });
  let prepared: ReturnType<typeof prepare> | undefined;
  const s = () => (prepared ??= prepare());
  return {
    async recordRun(run) {
      return handle.write('recording a check run', () => toRun(s().insert.get(...runValues(run)) as Row));
    },
    async getRun(id) {
      const row = handle.read('reading a check run', () => s().byId.get(id) as Row | undefined);
      return row ? toRun(row) : undefined;
    },
    async listRuns(check, o) {
      return handle
        .read('listing check runs', () => s().list.all(check, o.beforeId ?? MAX_ID, o.limit) as Row[])
        .map(toRun);
    },
    async lastRuns() {
      return handle.read('reading the last check runs', () => s().last.all() as Row[]).map(toRun);
    },
    async trend(check, fromDay, toDay) {
      return handle
        .read('reading a check trend', () => s().trend.all(check, fromDay, toDay) as Row[])
        .map(toTrendDay);
    },
  };
}

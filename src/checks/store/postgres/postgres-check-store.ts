import type { PostgresHandle } from '../../../store/postgres/postgres-connection.js';
import { LAST_RUNS, RUN_COLUMNS, runValues, TREND_SELECT, toRun, toTrendDay } from '../check-rows.js';
import type { CheckStore } from '../check-store.js';

type Row = Record<string, unknown>;
const MAX_ID = Number.MAX_SAFE_INTEGER;

const INSERT = `INSERT INTO check_runs (${RUN_COLUMNS.replace('id, ', '')})
  VALUES (${Array.from({ length: 21 }, (_, i) => `$${i + 1}`).join(', ')}) RETURNING ${RUN_COLUMNS}`;

export function createPostgresCheckStore(handle: PostgresHandle): CheckStore {
  const rows = (what: string, sql: string, values: unknown[]) =>
    handle.read(what, async (c) => (await c.query<Row>(sql, values)).rows);
  return {
    async recordRun(run) {
      const row = await handle.transaction(
        'recording a check run',
        async (c) => (await c.query<Row>(INSERT, runValues(run))).rows[0]!,
      );
      return toRun(row);
    },
    async getRun(id) {
      const [row] = await rows('reading a check run', `SELECT ${RUN_COLUMNS} FROM check_runs WHERE id = $1`, [
        id,
      ]);
      return row ? toRun(row) : undefined;
    },
    async listRuns(check, o) {
      return (
        await rows(
          'listing check runs',
          `SELECT ${RUN_COLUMNS} FROM check_runs WHERE check_name = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
          [check, o.beforeId ?? MAX_ID, o.limit],
        )
      ).map(toRun);
    },
    async lastRuns() {
      return (await rows('reading the last check runs', LAST_RUNS, [])).map(toRun);
    },
    async trend(check, fromDay, toDay) {
      return (
        await rows(
          'reading a check trend',
          TREND_SELECT((n) => `$${n}`),
          [check, fromDay, toDay],
        )
      ).map(toTrendDay);
    },
  };
}

import type { CompiledConsistencyCheck, CompiledSqlSide } from '../../config/compiled-checks.js';
import type { CheckQueryable, Row } from '../connections/check-connection.js';
import { sqlDialect } from '../sql/sql-dialect.js';
import { sideKeysSql, sideWindowSql } from './consistency-sql.js';
import type { SideReader, SideRow } from './side-reader.js';
import { timeValueMs } from './time-value.js';

/** Keys per `IN (...)` list: well inside every dialect's parameter limit. */
const KEYS_PER_QUERY = 500;

/** A table or query side of a consistency check whose other side is a dataset. */
export function sqlSideReader(
  side: CompiledSqlSide,
  format: CompiledConsistencyCheck['timeFormat'],
  db: CheckQueryable,
): SideReader {
  const dialect = sqlDialect(db.dialect);
  const toRow = (r: Row): SideRow => {
    const t = timeValueMs(r.t);
    const shown =
      r.t instanceof Date || format === 'epoch-ms'
        ? t === undefined
          ? r.t
          : new Date(t).toISOString()
        : r.t;
    return { key: String(r.k), value: r.k, t, shown };
  };
  return {
    async inWindow(fromMs, toMs) {
      const s = sideWindowSql(side, format, dialect, fromMs, toMs);
      return (await db.query(s.sql, s.params)).rows.map(toRow);
    },
    async withKeys(keys) {
      const out: SideRow[] = [];
      for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
        const s = sideKeysSql(side, format, dialect, keys.slice(i, i + KEYS_PER_QUERY));
        for (const r of (await db.query(s.sql, s.params)).rows) out.push(toRow(r));
      }
      return out;
    },
  };
}

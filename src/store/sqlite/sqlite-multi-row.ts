import type { SqliteDatabase, SqliteStatement } from './sqlite-connection.js';

/** Rows per multi-row statement: measured fastest with better-sqlite3 (one VDBE program per 100 rows). */
export const ROWS_PER_STATEMENT = 100;

/** A prepared statement for `rows` rows and an argument array of the right length, reused call after call. */
export interface MultiRowSlot {
  statement: SqliteStatement;
  /** Filled by the caller, `paramsPerRow` values per row; reused, so never keep a reference to it. */
  args: unknown[];
}

/**
 * Multi-row `INSERT ... VALUES (...), (...)` statements, one prepared per row
 * count on first use (the full chunk size plus whatever remainder sizes occur),
 * so a large write is one statement per 100 rows instead of one per row.
 *
 * @example
 * const insert = createMultiRowStatements(db, {
 *   head: 'INSERT INTO t (a, b) VALUES', row: '(?, ?)', paramsPerRow: 2, tail: 'ON CONFLICT DO NOTHING',
 * });
 * const { statement, args } = insert.slot(2);
 */
export function createMultiRowStatements(
  db: SqliteDatabase,
  options: { head: string; row: string; tail?: string; paramsPerRow: number; raw?: boolean },
): { slot(rows: number): MultiRowSlot } {
  const slots = new Map<number, MultiRowSlot>();
  return {
    slot(rows) {
      let slot = slots.get(rows);
      if (!slot) {
        const sql = `${options.head} ${new Array(rows).fill(options.row).join(',')} ${options.tail ?? ''}`;
        const statement = db.prepare(sql);
        if (options.raw) statement.raw();
        slot = { statement, args: new Array(rows * options.paramsPerRow) };
        slots.set(rows, slot);
      }
      return slot;
    },
  };
}

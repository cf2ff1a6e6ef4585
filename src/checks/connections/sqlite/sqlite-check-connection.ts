import Database from 'better-sqlite3';
import type { CompiledConnection } from '../../../config/compiled-checks.js';
import type { CheckConnection, CheckQueryable, QueryResult, Row } from '../check-connection.js';
import { describeConnectionTarget, queryError, readOnlyError } from '../connection-target.js';

/** Prepared statements kept per connection. */
const STATEMENT_CACHE = 128;

/**
 * A SQLite file (better-sqlite3). Not writable: the file is opened read-only,
 * so SQLite itself refuses a write. The file is opened on first use, so a
 * missing file is a query error of the run, not a crash at start.
 */
export function createSqliteCheckConnection(conn: CompiledConnection): CheckConnection {
  const where = describeConnectionTarget(conn);
  let db: Database.Database | undefined;
  const open = () => {
    if (!db) {
      db = new Database(conn.target, { readonly: !conn.writable, fileMustExist: true });
      db.pragma(`busy_timeout = ${Math.min(Math.round(conn.queryTimeoutMs), 60_000)}`);
    }
    return db;
  };
  // Prepared statements by text, least recently used dropped first: a repair runs the same
  // statements (its template, the image reads) once per finding or batch.
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let stmt = statements.get(sql);
    if (stmt) statements.delete(sql);
    else {
      stmt = open().prepare(sql);
      if (statements.size >= STATEMENT_CACHE) statements.delete(statements.keys().next().value!);
    }
    statements.set(sql, stmt);
    return stmt;
  };
  const run = (sql: string, params?: readonly unknown[]): QueryResult => {
    try {
      const stmt = prepare(sql);
      const args = (params ?? []).map(bindable);
      if (stmt.reader) {
        const rows = stmt.all(...args) as Row[];
        return { rows, rowCount: rows.length };
      }
      return { rows: [], rowCount: stmt.run(...args).changes };
    } catch (err) {
      throw queryError(conn.name, where, err);
    }
  };
  const queryable: CheckQueryable = { dialect: 'sqlite', query: async (sql, params) => run(sql, params) };
  let inTransaction = false;
  return {
    name: conn.name,
    dialect: 'sqlite',
    writable: conn.writable,
    describe: () => where,
    query: queryable.query,
    async transaction(fn) {
      if (!conn.writable) throw readOnlyError(conn.name);
      // One connection: an async transaction must not interleave with another one.
      while (inTransaction) await new Promise((r) => setTimeout(r, 5));
      inTransaction = true;
      try {
        run('BEGIN IMMEDIATE');
        try {
          const out = await fn(queryable);
          run('COMMIT');
          return out;
        } catch (err) {
          if (db?.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      } finally {
        inTransaction = false;
      }
    },
    async close() {
      statements.clear();
      db?.close();
      db = undefined;
    },
  };
}

/** better-sqlite3 binds no booleans or Dates: they become 1/0 and ISO text. */
function bindable(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  return v;
}

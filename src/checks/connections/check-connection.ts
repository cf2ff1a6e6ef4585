import type { ConnectionDialect } from '../../config/compiled-checks.js';

/** One row as the driver returns it, by column name. */
export type Row = Record<string, unknown>;

/** What a statement returned: its rows (none for most writes) and the rows it changed or returned. */
export interface QueryResult {
  rows: Row[];
  /** Rows changed by a write (or returned by a read). */
  rowCount: number;
}

/**
 * Something SQL runs on: a connection or a transaction. `sql` is in the
 * connection's own dialect, with its own placeholders (`$1` on PostgreSQL,
 * `?` on MySQL and SQLite: see `sqlDialect(dialect).param(n)`).
 */
export interface CheckQueryable {
  readonly dialect: ConnectionDialect;
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult>;
}

/**
 * A named connection to a team's own database (PostgreSQL, MySQL/MariaDB or
 * SQLite). Read-only unless configured `writable`: the database itself is
 * told so (a read-only session or file), and `transaction` is refused with
 * CONNECTION_READ_ONLY. Credentials never appear in logs or errors
 * (`describe()` is host, port and database, or the file path).
 *
 * @example
 * const conn = openCheckConnection(config.checks.connections[0]);
 * const { rows } = await conn.query('SELECT count(*) AS n FROM tasks');
 * await conn.close();
 */
export interface CheckConnection extends CheckQueryable {
  readonly name: string;
  readonly writable: boolean;
  /** Where it connects, without credentials: `host:port/database` or the file path. */
  describe(): string;
  /**
   * Runs `fn` inside one transaction: committed when it resolves, rolled back
   * when it throws. Refused (CONNECTION_READ_ONLY) on a connection that is not writable.
   */
  transaction<T>(fn: (tx: CheckQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

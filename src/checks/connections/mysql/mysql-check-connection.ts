import mysql from 'mysql2/promise';
import type { CompiledConnection } from '../../../config/compiled-checks.js';
import type { CheckConnection, CheckQueryable, QueryResult, Row } from '../check-connection.js';
import { describeConnectionTarget, queryError, readOnlyError } from '../connection-target.js';

/**
 * A MySQL or MariaDB connection (mysql2 pool), times in UTC. Not writable:
 * every session is `SET SESSION TRANSACTION READ ONLY`, so the server refuses
 * a write. Each statement is limited by the connection's query timeout.
 */
export function createMysqlCheckConnection(conn: CompiledConnection): CheckConnection {
  const where = describeConnectionTarget(conn);
  const url = new URL(conn.target);
  if (url.protocol === 'mariadb:') url.protocol = 'mysql:';
  const pool = mysql.createPool({
    uri: url.toString(),
    connectionLimit: conn.poolSize,
    timezone: 'Z',
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    connectTimeout: 10_000,
  });
  // The underlying (callback) pool tells about every new connection before its first use:
  // UTC for TIMESTAMP columns, and read-only unless writable (queries queue behind these).
  pool.pool.on('connection', (c) => {
    c.query("SET time_zone = '+00:00'");
    if (!conn.writable) c.query('SET SESSION TRANSACTION READ ONLY');
  });
  const run = async (
    target: mysql.Pool | mysql.PoolConnection,
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryResult> => {
    try {
      const [result] = await target.query({ sql, timeout: conn.queryTimeoutMs }, params as unknown[]);
      if (Array.isArray(result)) return { rows: result as Row[], rowCount: result.length };
      const header = result as mysql.ResultSetHeader;
      return { rows: [], rowCount: header.affectedRows };
    } catch (err) {
      throw queryError(conn.name, where, err);
    }
  };
  return {
    name: conn.name,
    dialect: 'mysql',
    writable: conn.writable,
    describe: () => where,
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      if (!conn.writable) throw readOnlyError(conn.name);
      let c: mysql.PoolConnection;
      try {
        c = await pool.getConnection();
      } catch (err) {
        throw queryError(conn.name, where, err);
      }
      const tx: CheckQueryable = { dialect: 'mysql', query: (sql, params) => run(c, sql, params) };
      try {
        await c.beginTransaction();
        const out = await fn(tx);
        await c.commit();
        return out;
      } catch (err) {
        await c.rollback().catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

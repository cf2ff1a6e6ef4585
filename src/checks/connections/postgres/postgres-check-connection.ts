import pg from 'pg';
import type { CompiledConnection } from '../../../config/compiled-checks.js';
import type { CheckConnection, CheckQueryable, QueryResult } from '../check-connection.js';
import { describeConnectionTarget, queryError, readOnlyError } from '../connection-target.js';

// numeric and bigint arrive as numbers (counts, percentiles); timestamps stay Dates.
const TYPES = {
  getTypeParser: (oid: number, format?: string) => {
    if (oid === 20 || oid === 1700 || oid === 701) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

/**
 * A PostgreSQL connection (pg pool). Not writable: every session is
 * `default_transaction_read_only`, so the server itself refuses a write.
 * Each statement is limited by `statement_timeout` (the connection's query timeout).
 */
export function createPostgresCheckConnection(conn: CompiledConnection): CheckConnection {
  const where = describeConnectionTarget(conn);
  // UTC: a `timestamp` column compares with a bound instant as the UTC time it holds.
  const settings = [`-c statement_timeout=${Math.round(conn.queryTimeoutMs)}`, '-c timezone=UTC'];
  if (!conn.writable) settings.push('-c default_transaction_read_only=on');
  const pool = new pg.Pool({
    connectionString: conn.target,
    max: conn.poolSize,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'gapwarden-checks',
    types: TYPES,
    options: settings.join(' '),
  });
  // A dropped idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const run = async (client: pg.Pool | pg.PoolClient, sql: string, params?: readonly unknown[]) => {
    try {
      const r = await client.query(sql, params as unknown[] | undefined);
      return { rows: r.rows, rowCount: r.rowCount ?? r.rows.length } satisfies QueryResult;
    } catch (err) {
      throw queryError(conn.name, where, err);
    }
  };
  return {
    name: conn.name,
    dialect: 'postgres',
    writable: conn.writable,
    describe: () => where,
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      if (!conn.writable) throw readOnlyError(conn.name);
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw queryError(conn.name, where, err);
      }
      const tx: CheckQueryable = { dialect: 'postgres', query: (sql, params) => run(client, sql, params) };
      try {
        await client.query('BEGIN');
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

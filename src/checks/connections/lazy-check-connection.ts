import type { CompiledConnection } from '../../config/compiled-checks.js';
import type { CheckConnection } from './check-connection.js';
import { describeConnectionTarget } from './connection-target.js';

/**
 * A connection whose adapter (and its driver) is loaded on the first query:
 * a process that never runs a check on this dialect does not load its driver.
 * A failed load is retried on the next call.
 */
export function lazyCheckConnection(
  conn: CompiledConnection,
  load: () => Promise<CheckConnection>,
): CheckConnection {
  let loading: Promise<CheckConnection> | undefined;
  const connection = () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
  return {
    name: conn.name,
    dialect: conn.dialect,
    writable: conn.writable,
    describe: () => describeConnectionTarget(conn),
    query: async (sql, params) => (await connection()).query(sql, params),
    transaction: async (fn) => (await connection()).transaction(fn),
    close: async () => {
      if (loading) await (await loading).close();
    },
  };
}

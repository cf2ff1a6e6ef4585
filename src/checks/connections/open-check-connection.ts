import type { CompiledConnection } from '../../config/compiled-checks.js';
import type { CheckConnection } from './check-connection.js';
import { lazyCheckConnection } from './lazy-check-connection.js';
import { createPostgresCheckConnection } from './postgres/postgres-check-connection.js';
import { createSqliteCheckConnection } from './sqlite/sqlite-check-connection.js';

/** Opens a configured connection with the adapter of its dialect (lazily: nothing connects until a query). */
export function openCheckConnection(conn: CompiledConnection): CheckConnection {
  switch (conn.dialect) {
    case 'postgres':
      return createPostgresCheckConnection(conn);
    case 'mysql':
      // mysql2 is loaded on the first query: most processes never talk to MySQL.
      return lazyCheckConnection(conn, async () => {
        const { createMysqlCheckConnection } = await import('./mysql/mysql-check-connection.js');
        return createMysqlCheckConnection(conn);
      });
    case 'sqlite':
      return createSqliteCheckConnection(conn);
  }
}

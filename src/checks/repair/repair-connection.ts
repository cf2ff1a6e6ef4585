import type { SqlDialect } from './sql-template.js';

/**
 * What a SQL repair needs of a check connection (checks/connections/
 * `CheckConnection` has it): statements in a transaction on a writable connection.
 */
export interface RepairQueryable {
  readonly dialect: SqlDialect;
  query(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;
}

export interface RepairSqlConnection extends RepairQueryable {
  readonly name: string;
  readonly writable: boolean;
  transaction<T>(fn: (tx: RepairQueryable) => Promise<T>): Promise<T>;
}

import type { ConnectionDialect } from '../../config/compiled-checks.js';

/** The few SQL spellings that differ between PostgreSQL, MySQL/MariaDB and SQLite. */
export interface SqlDialect {
  readonly name: ConnectionDialect;
  /** The placeholder of the n-th parameter (1-based): `$n` or `?`. */
  param(n: number): string;
  /** Integer division `a / b` rounded down (both non-negative). */
  idiv(a: string, b: string): string;
  /** Milliseconds from timestamp `a` to timestamp `b`, as a number. */
  timestampDiffMs(a: string, b: string): string;
  /** A bound parameter holding an instant, comparable with a timestamp column. */
  timestampParam(n: number): string;
  /** A timestamp column made comparable with `timestampParam` (SQLite: text to julian day). */
  timestampColumn(column: string): string;
  /** The value to bind for an instant (ms since the epoch). */
  timestampValue(ms: number): unknown;
  /** A timestamp column as epoch milliseconds (a number). */
  epochMs(column: string): string;
  /** `floor(x)` as an integer, for x ≥ 0. */
  floorInt(x: string): string;
}

const postgres: SqlDialect = {
  name: 'postgres',
  param: (n) => `$${n}`,
  idiv: (a, b) => `((${a}) / (${b}))`,
  timestampDiffMs: (a, b) => `(EXTRACT(EPOCH FROM ((${b}) - (${a}))) * 1000)`,
  timestampParam: (n) => `$${n}::timestamptz`,
  timestampColumn: (c) => c,
  timestampValue: (ms) => new Date(ms).toISOString(),
  epochMs: (c) => `(EXTRACT(EPOCH FROM ${c}) * 1000)`,
  floorInt: (x) => `floor(${x})::bigint`,
};

const mysql: SqlDialect = {
  name: 'mysql',
  param: () => '?',
  idiv: (a, b) => `((${a}) DIV (${b}))`,
  timestampDiffMs: (a, b) => `(TIMESTAMPDIFF(MICROSECOND, ${a}, ${b}) / 1000)`,
  timestampParam: () => '?',
  timestampColumn: (c) => c,
  timestampValue: (ms) => new Date(ms),
  epochMs: (c) => `(UNIX_TIMESTAMP(${c}) * 1000)`,
  floorInt: (x) => `FLOOR(${x})`,
};

const sqlite: SqlDialect = {
  name: 'sqlite',
  param: () => '?',
  idiv: (a, b) => `((${a}) / (${b}))`,
  timestampDiffMs: (a, b) => `ROUND((julianday(${b}) - julianday(${a})) * 86400000.0)`,
  timestampParam: () => 'julianday(?)',
  timestampColumn: (c) => `julianday(${c})`,
  timestampValue: (ms) => new Date(ms).toISOString(),
  epochMs: (c) => `((julianday(${c}) - 2440587.5) * 86400000.0)`,
  floorInt: (x) => `CAST(${x} AS INTEGER)`,
};

const DIALECTS: Record<ConnectionDialect, SqlDialect> = { postgres, mysql, sqlite };

export function sqlDialect(name: ConnectionDialect): SqlDialect {
  return DIALECTS[name];
}

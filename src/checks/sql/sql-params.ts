import type { SqlDialect } from './sql-dialect.js';

/** Collects a statement's parameters in order and hands out their placeholders. */
export interface SqlParams {
  /** A placeholder for a plain value. */
  value(v: unknown): string;
  /** A placeholder for an instant (ms), comparable with the check's time columns. */
  time(ms: number): string;
  readonly values: unknown[];
}

export function sqlParams(dialect: SqlDialect, timeFormat: 'timestamp' | 'epoch-ms'): SqlParams {
  const values: unknown[] = [];
  return {
    values,
    value(v) {
      values.push(v);
      return dialect.param(values.length);
    },
    time(ms) {
      if (timeFormat === 'epoch-ms') {
        values.push(ms);
        return dialect.param(values.length);
      }
      values.push(dialect.timestampValue(ms));
      return dialect.timestampParam(values.length);
    },
  };
}

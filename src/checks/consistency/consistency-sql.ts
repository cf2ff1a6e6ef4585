import type {
  CompiledCheckSide,
  CompiledConsistencyCheck,
  CompiledSqlSide,
} from '../../config/compiled-checks.js';
import { GapwardenError } from '../../internal/errors.js';
import type { SqlDialect } from '../sql/sql-dialect.js';
import { type SqlParams, sqlParams } from '../sql/sql-params.js';

/** A statement and its parameters, ready for `CheckQueryable.query`. */
export interface Statement {
  sql: string;
  params: unknown[];
}

type TimeFormat = CompiledConsistencyCheck['timeFormat'];

const source = (side: CompiledSqlSide) => side.table ?? `(${side.query}) src`;
const where = (side: CompiledSqlSide) => (side.where ? `(${side.where})` : '1 = 1');

/** A side read with SQL; a dataset side here is a bug in the caller (it has no SQL). */
export function sqlSide(side: CompiledCheckSide): CompiledSqlSide {
  if (side.kind !== 'sql') {
    throw new GapwardenError('CHECK_FAILED', `dataset "${side.dataset}" is not read with SQL`);
  }
  return side;
}

/** The time column as compared with a bound instant (SQLite keeps timestamps as text). */
function timeColumn(format: TimeFormat, dialect: SqlDialect, column: string): string {
  return format === 'epoch-ms' ? column : dialect.timestampColumn(column);
}

function delayMs(
  check: CompiledConsistencyCheck,
  dialect: SqlDialect,
  parent: string,
  child: string,
): string {
  return check.timeFormat === 'epoch-ms' ? `(${child} - ${parent})` : dialect.timestampDiffMs(parent, child);
}

/** The rows of a side whose time is in the window: `(k, t)`. */
function sideInWindow(
  side: CompiledSqlSide,
  format: TimeFormat,
  dialect: SqlDialect,
  params: SqlParams,
  fromMs: number,
  toMs: number,
): string {
  const t = timeColumn(format, dialect, side.time);
  return `SELECT ${side.key} AS k, ${side.time} AS t FROM ${source(side)} WHERE ${where(side)} AND ${t} >= ${params.time(fromMs)} AND ${t} < ${params.time(toMs)}`;
}

/** The parents in the window: `p(k, t)`. */
function parentsInWindow(
  check: CompiledConsistencyCheck,
  dialect: SqlDialect,
  params: SqlParams,
  fromMs: number,
  toMs: number,
): string {
  return sideInWindow(sqlSide(check.parents), check.timeFormat, dialect, params, fromMs, toMs);
}

/** The children: `c(k, t)`. */
function children(check: CompiledConsistencyCheck): string {
  const c = sqlSide(check.children);
  return `SELECT ${c.key} AS k, ${c.time} AS t FROM ${source(c)} WHERE ${where(c)}`;
}

/**
 * One statement computing, in the database, over the parents in [from, to):
 * `parents`, `matched` (with at least one child), and over the delays from a
 * parent's time to its first child's time: `p50`, `p95` (nearest rank: the
 * smallest delay with at least that share of delays at or below it), `max`,
 * `late` (delays over `lateAfterMs`). PostgreSQL uses `percentile_disc`; MySQL
 * and SQLite rank the delays with a window function — the same definition.
 */
export function consistencySummarySql(
  check: CompiledConsistencyCheck,
  dialect: SqlDialect,
  fromMs: number,
  toMs: number,
): Statement {
  const params = sqlParams(dialect, check.timeFormat);
  const p = parentsInWindow(check, dialect, params, fromMs, toMs);
  const joined = `SELECT p.k, ${delayMs(check, dialect, 'p.t', 'MIN(c.t)')} AS d FROM (${p}) p LEFT JOIN (${children(check)}) c ON c.k = p.k GROUP BY p.k, p.t`;
  // A compiled number, written as a literal: with `?` placeholders, values bind in text order.
  const late = String(Math.round(check.lateAfterMs));
  if (dialect.name === 'postgres') {
    return {
      sql: `SELECT count(*) AS parents, count(d) AS matched,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY d) AS p50,
  percentile_disc(0.95) WITHIN GROUP (ORDER BY d) AS p95,
  max(d) AS max, count(*) FILTER (WHERE d > ${late}) AS late
FROM (${joined}) x`,
      params: params.values,
    };
  }
  const rank = (q: number) => `${dialect.idiv(`${q} * cnt + 99`, '100')}`;
  return {
    sql: `SELECT count(*) AS parents, count(d) AS matched,
  max(CASE WHEN d IS NOT NULL AND rn = ${rank(50)} THEN d END) AS p50,
  max(CASE WHEN d IS NOT NULL AND rn = ${rank(95)} THEN d END) AS p95,
  max(d) AS max, sum(CASE WHEN d > ${late} THEN 1 ELSE 0 END) AS late
FROM (SELECT d, ROW_NUMBER() OVER (PARTITION BY d IS NULL ORDER BY d) AS rn, count(d) OVER () AS cnt FROM (${joined}) j) x`,
    params: params.values,
  };
}

/** Up to `limit` parents in [from, to) without a child, oldest first: `k`, `t`. */
export function missingChildrenSql(
  check: CompiledConsistencyCheck,
  dialect: SqlDialect,
  fromMs: number,
  toMs: number,
  limit: number,
): Statement {
  const params = sqlParams(dialect, check.timeFormat);
  const p = parentsInWindow(check, dialect, params, fromMs, toMs);
  const n = String(Math.max(0, Math.floor(limit)));
  return {
    sql: `SELECT p.k AS k, p.t AS t FROM (${p}) p LEFT JOIN (${children(check)}) c ON c.k = p.k WHERE c.k IS NULL ORDER BY p.t, p.k LIMIT ${n}`,
    params: params.values,
  };
}

/** Of `keys`, the parents that still match the check's predicate and still have no child: `k`, `t`. */
export function stillMissingSql(
  check: CompiledConsistencyCheck,
  dialect: SqlDialect,
  keys: readonly string[],
): Statement {
  const params = sqlParams(dialect, check.timeFormat);
  const p = sqlSide(check.parents);
  const list = keys.map((k) => params.value(k)).join(', ');
  return {
    sql: `SELECT p.k AS k, p.t AS t FROM (SELECT ${p.key} AS k, ${p.time} AS t FROM ${source(p)} WHERE ${where(p)} AND ${p.key} IN (${list})) p LEFT JOIN (${children(check)}) c ON c.k = p.k WHERE c.k IS NULL ORDER BY p.t, p.k`,
    params: params.values,
  };
}

/** One side's rows in [from, to) (`k`, `t`): the parents when the other side is not in the same database. */
export function sideWindowSql(
  side: CompiledSqlSide,
  format: TimeFormat,
  dialect: SqlDialect,
  fromMs: number,
  toMs: number,
): Statement {
  const params = sqlParams(dialect, format);
  return { sql: sideInWindow(side, format, dialect, params, fromMs, toMs), params: params.values };
}

/** One side's rows with one of `keys` (`k`, `t`). */
export function sideKeysSql(
  side: CompiledSqlSide,
  format: TimeFormat,
  dialect: SqlDialect,
  keys: readonly string[],
): Statement {
  const params = sqlParams(dialect, format);
  const list = keys.map((k) => params.value(k)).join(', ');
  return {
    sql: `SELECT ${side.key} AS k, ${side.time} AS t FROM ${source(side)} WHERE ${where(side)} AND ${side.key} IN (${list})`,
    params: params.values,
  };
}

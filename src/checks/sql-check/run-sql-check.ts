import type { CompiledSqlCheck } from '../../config/compiled-checks.js';
import { GapwardenError } from '../../internal/errors.js';
import type { CheckOutcome } from '../check-outcome.js';
import type { CheckQueryable } from '../connections/check-connection.js';
import { sqlDialect } from '../sql/sql-dialect.js';
import { sqlParams } from '../sql/sql-params.js';

/** Replaces `:from` and `:to` with bound parameters (in text order, as `?` placeholders need). */
export function bindWindow(sql: string, db: CheckQueryable, fromMs: number, toMs: number) {
  const params = sqlParams(sqlDialect(db.dialect), 'timestamp');
  const text = sql.replace(/:(from|to)\b/g, (_m, which: string) =>
    params.value(sqlDialect(db.dialect).timestampValue(which === 'from' ? fromMs : toMs)),
  );
  return { sql: text, params: params.values };
}

/**
 * A `sql` check: the query's rows are findings (named by the `key` column; the
 * score is the share of `total` without a finding, or 0/100 without `total`),
 * or, with `returns: 'score'`, its one row's `score` column is the score.
 */
export async function runSqlCheck(
  check: CompiledSqlCheck,
  db: CheckQueryable,
  fromMs: number,
  toMs: number,
): Promise<CheckOutcome> {
  const q = bindWindow(check.query, db, fromMs, toMs);
  const { rows } = await db.query(q.sql, q.params);
  if (check.returns === 'score') {
    const score = Number(rows[0]?.score);
    if (rows.length !== 1 || !Number.isFinite(score) || score < 0 || score > 100) {
      throw new GapwardenError(
        'CHECK_FAILED',
        `check "${check.name}" expects its query to return one row with a \`score\` column between 0 and 100; it returned ${rows.length} row(s)${rows[0] ? ` with score ${JSON.stringify(rows[0].score)}` : ''}`,
      );
    }
    return { score, total: 1, findings: 0, delay: undefined, sample: [] };
  }
  if (rows.length > 0 && !(check.key in rows[0]!)) {
    throw new GapwardenError(
      'CHECK_FAILED',
      `check "${check.name}": the query's rows have no column "${check.key}" to name each finding (columns: ${Object.keys(rows[0]!).join(', ')}); select one or set \`key\``,
    );
  }
  let total = rows.length;
  if (check.total) {
    const t = bindWindow(check.total, db, fromMs, toMs);
    const first = (await db.query(t.sql, t.params)).rows[0];
    total = Number(first === undefined ? Number.NaN : Object.values(first)[0]);
    if (!Number.isFinite(total)) {
      throw new GapwardenError('CHECK_FAILED', `check "${check.name}": \`total\` did not return a number`);
    }
  }
  const findings = rows.length;
  const score =
    total > 0 ? Math.max(0, Math.round((1 - findings / total) * 100 * 10_000) / 10_000) : findings ? 0 : 100;
  const sample = rows.slice(0, check.sample).map((r) => {
    const { [check.key]: key, ...fields } = r;
    return { key: String(key), fields: jsonSafe(fields) };
  });
  return { score: check.total ? score : findings === 0 ? 100 : 0, total, findings, delay: undefined, sample };
}

function jsonSafe(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}

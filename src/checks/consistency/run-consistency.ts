import type { CompiledConsistencyCheck } from '../../config/compiled-checks.js';
import type { CheckOutcome } from '../check-outcome.js';
import type { CheckQueryable, Row } from '../connections/check-connection.js';
import type { Finding } from '../finding.js';
import { completionScore } from '../score/score-scale.js';
import { sqlDialect } from '../sql/sql-dialect.js';
import { consistencySummarySql, missingChildrenSql, stillMissingSql } from './consistency-sql.js';

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/**
 * Evaluates a consistency check over parents in [fromMs, toMs): counts,
 * completion rate and delay percentiles are computed by the database in one
 * statement; then at most `check.sample` missing parents are read as findings.
 */
export async function runConsistency(
  check: CompiledConsistencyCheck,
  db: CheckQueryable,
  fromMs: number,
  toMs: number,
): Promise<CheckOutcome> {
  const dialect = sqlDialect(db.dialect);
  const summary = consistencySummarySql(check, dialect, fromMs, toMs);
  const row = (await db.query(summary.sql, summary.params)).rows[0] ?? {};
  const parents = num(row.parents) ?? 0;
  const matched = num(row.matched) ?? 0;
  const missing = parents - matched;
  let sample: Finding[] = [];
  if (missing > 0 && check.sample > 0) {
    const s = missingChildrenSql(check, dialect, fromMs, toMs, check.sample);
    sample = (await db.query(s.sql, s.params)).rows.map((r) => missingFinding(r, check));
  }
  return {
    score: completionScore(matched, parents),
    total: parents,
    findings: missing,
    delay: {
      p50: num(row.p50),
      p95: num(row.p95),
      max: num(row.max),
      late: num(row.late) ?? 0,
    },
    sample,
  };
}

/**
 * Of `keys` (findings of an earlier run), the ones still missing their child
 * now: the parent still matches the check's predicate and no child arrived.
 * A repair calls this just before it acts on a batch.
 */
export async function findStillMissing(
  check: CompiledConsistencyCheck,
  db: CheckQueryable,
  keys: readonly string[],
): Promise<Finding[]> {
  if (keys.length === 0) return [];
  const s = stillMissingSql(check, sqlDialect(db.dialect), keys);
  return (await db.query(s.sql, s.params)).rows.map((r) => missingFinding(r, check));
}

function missingFinding(r: Row, check: CompiledConsistencyCheck): Finding {
  return { key: String(r.k), fields: { [check.parents.time]: timeText(r.t, check.timeFormat) } };
}

/** A time as people read it: ISO 8601 for Dates and epoch ms; text as stored. */
function timeText(v: unknown, format: 'timestamp' | 'epoch-ms'): unknown {
  if (v instanceof Date) return v.toISOString();
  if (format === 'epoch-ms' && v !== null && v !== undefined) return new Date(Number(v)).toISOString();
  return v;
}

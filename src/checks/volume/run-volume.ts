import type { CompiledVolumeCheck } from '../../config/compiled-checks.js';
import type { CheckOutcome } from '../check-outcome.js';
import type { CheckQueryable } from '../connections/check-connection.js';
import type { Finding } from '../finding.js';
import { sqlDialect } from '../sql/sql-dialect.js';
import { sqlParams } from '../sql/sql-params.js';

/**
 * A `volume` check: rows per bucket over the window (counted by the
 * database), each bucket compared with a fixed range or with the average of
 * the `trailing` buckets before it ± `tolerance`%. Score: the share of
 * buckets within range; findings: the buckets outside it.
 */
export async function runVolume(
  check: CompiledVolumeCheck,
  db: CheckQueryable,
  fromMs: number,
  toMs: number,
): Promise<CheckOutcome> {
  const dialect = sqlDialect(db.dialect);
  const trailing = check.expect.trailing ?? 0;
  const start = fromMs - trailing * check.bucketMs;
  const params = sqlParams(dialect, check.timeFormat);
  const col = check.timeFormat === 'epoch-ms' ? check.time : dialect.timestampColumn(check.time);
  const epoch = check.timeFormat === 'epoch-ms' ? check.time : dialect.epochMs(check.time);
  const src = check.table ?? `(${check.query}) src`;
  const lower = params.time(start);
  const upper = params.time(toMs);
  const bucket = dialect.floorInt(`(${epoch} - ${start}) / ${check.bucketMs}`);
  const sql = `SELECT b, count(*) AS n FROM (SELECT ${bucket} AS b FROM ${src} WHERE ${check.where ? `(${check.where})` : '1 = 1'} AND ${col} >= ${lower} AND ${col} < ${upper}) x GROUP BY b`;
  const counts = new Map<number, number>();
  for (const r of (await db.query(sql, params.values)).rows) counts.set(Number(r.b), Number(r.n));
  const buckets = Math.ceil((toMs - start) / check.bucketMs);
  const series = Array.from({ length: buckets }, (_, i) => counts.get(i) ?? 0);
  const bad: Finding[] = [];
  let evaluated = 0;
  for (let i = trailing; i < buckets; i++) {
    const n = series[i]!;
    let min = check.expect.min;
    let max = check.expect.max;
    if (trailing > 0) {
      const avg = series.slice(i - trailing, i).reduce((a, b) => a + b, 0) / trailing;
      const spread = (avg * check.expect.tolerance) / 100;
      min = Math.max(min ?? 0, Math.ceil(avg - spread));
      max = max === undefined ? Math.floor(avg + spread) : Math.min(max, Math.floor(avg + spread));
    }
    evaluated++;
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
      bad.push({
        key: new Date(start + i * check.bucketMs).toISOString(),
        fields: { rows: n, expectedMin: min ?? null, expectedMax: max ?? null },
      });
    }
  }
  const score =
    evaluated === 0 ? 100 : Math.round(((evaluated - bad.length) / evaluated) * 100 * 10_000) / 10_000;
  return {
    score,
    total: evaluated,
    findings: bad.length,
    delay: undefined,
    sample: bad.slice(0, check.sample),
  };
}

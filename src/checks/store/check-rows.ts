import type { CheckRun, CheckRunDraft, CheckTrendDay } from '../check-run.js';

type Row = Record<string, unknown>;

export const RUN_COLUMNS =
  'id, check_name, kind, profile, run_trigger, status, level, score, from_ms, to_ms, started_at, duration_ms, total, findings, delay_p50, delay_p95, delay_max, late, sample, day, days, error';

const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

/** The values of a draft, in the order of the columns after `id`. */
export function runValues(r: CheckRunDraft): unknown[] {
  return [
    r.check,
    r.kind,
    r.profile,
    r.trigger,
    r.status,
    r.level ?? null,
    r.score ?? null,
    r.fromMs,
    r.toMs,
    r.startedAt,
    Math.round(r.durationMs),
    r.total,
    r.findings,
    r.delay?.p50 ?? null,
    r.delay?.p95 ?? null,
    r.delay?.max ?? null,
    r.delay?.late ?? null,
    JSON.stringify(r.sample),
    r.day,
    JSON.stringify(r.days),
    r.error ?? null,
  ];
}

export function toRun(r: Row): CheckRun {
  const late = num(r.late);
  return {
    id: Number(r.id),
    check: String(r.check_name),
    kind: String(r.kind),
    profile: String(r.profile),
    trigger: r.run_trigger as CheckRun['trigger'],
    status: r.status as CheckRun['status'],
    level: (r.level ?? undefined) as CheckRun['level'],
    score: num(r.score),
    fromMs: Number(r.from_ms),
    toMs: Number(r.to_ms),
    startedAt: Number(r.started_at),
    durationMs: Number(r.duration_ms),
    total: Number(r.total),
    findings: Number(r.findings),
    delay:
      late === undefined
        ? undefined
        : { p50: num(r.delay_p50), p95: num(r.delay_p95), max: num(r.delay_max), late },
    sample: JSON.parse(String(r.sample)),
    day: String(r.day),
    days: JSON.parse(String(r.days)),
    error: (r.error ?? undefined) as string | undefined,
  };
}

/** Per-day aggregates; `last_*` come from the day's newest run that is not an error. */
export const TREND_SELECT = (p: (n: number) => string) => `
  SELECT day, count(*) AS runs,
    sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END) AS errors,
    avg(score) AS avg_score, min(score) AS min_score,
    (SELECT r2.score FROM check_runs r2 WHERE r2.check_name = r.check_name AND r2.day = r.day AND r2.status <> 'error' ORDER BY r2.id DESC LIMIT 1) AS last_score,
    (SELECT r2.findings FROM check_runs r2 WHERE r2.check_name = r.check_name AND r2.day = r.day AND r2.status <> 'error' ORDER BY r2.id DESC LIMIT 1) AS last_findings
  FROM check_runs r WHERE check_name = ${p(1)} AND day >= ${p(2)} AND day <= ${p(3)}
  GROUP BY check_name, day ORDER BY day`;

export function toTrendDay(r: Row): CheckTrendDay {
  return {
    day: String(r.day),
    runs: Number(r.runs),
    errors: Number(r.errors),
    avgScore: num(r.avg_score) === undefined ? undefined : Math.round(Number(r.avg_score) * 10_000) / 10_000,
    minScore: num(r.min_score),
    lastScore: num(r.last_score),
    lastFindings: num(r.last_findings),
  };
}

/** Newest run per check. */
export const LAST_RUNS = `SELECT ${RUN_COLUMNS} FROM check_runs WHERE id IN (SELECT max(id) FROM check_runs GROUP BY check_name) ORDER BY check_name`;

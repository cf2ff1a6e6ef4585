import type { CompiledCheck } from '../config/compiled-checks.js';
import { formatDuration } from '../domain/duration.js';
import { table } from '../internal/text-table.js';
import type { CheckRun, CheckTrendDay } from './check-run.js';

const score = (s: number | undefined) => (s === undefined ? '-' : `${s.toFixed(2)}%`);
const ms = (v: number | undefined) => (v === undefined ? '-' : formatDuration(v));

/** `gapwarden checks`: one line per check with its last run. */
export function formatChecks(checks: readonly CompiledCheck[], last: ReadonlyMap<string, CheckRun>): string {
  if (checks.length === 0) return 'no checks configured (see docs/checks.md)';
  return table(
    ['CHECK', 'KIND', 'LAST RUN', 'STATUS', 'LEVEL', 'SCORE', 'FINDINGS'],
    checks.map((c) => {
      const r = last.get(c.name);
      return [
        c.name,
        c.kind,
        r ? `${new Date(r.startedAt).toISOString()} (${r.profile})` : 'never',
        r?.status ?? '-',
        r?.level ?? '-',
        score(r?.score),
        r ? String(r.findings) : '-',
      ];
    }),
  );
}

/** One run in full: figures, delays, the sample of findings, or the error. */
export function formatCheckRun(run: CheckRun): string {
  const lines = [
    `check ${run.check} (${run.kind}, ${run.profile}) #${run.id}: ${run.status.toUpperCase()}${run.level ? `, level ${run.level}` : ''}`,
    `window   ${new Date(run.fromMs).toISOString()} .. ${new Date(run.toMs).toISOString()}`,
  ];
  if (run.status === 'error') {
    lines.push(`error    ${run.error ?? ''}`);
    return lines.join('\n');
  }
  lines.push(`score    ${score(run.score)} (${run.total - run.findings} of ${run.total})`);
  lines.push(`findings ${run.findings}`);
  if (run.delay) {
    lines.push(
      `delay    p50 ${ms(run.delay.p50)}, p95 ${ms(run.delay.p95)}, max ${ms(run.delay.max)}, ${run.delay.late} late`,
    );
  }
  lines.push(`took     ${formatDuration(run.durationMs)}`);
  if (run.days.length > 0) {
    lines.push(
      '',
      table(
        ['DAY', 'SCORE', 'TOTAL', 'FINDINGS'],
        run.days.map((d) => [d.day, score(d.score), String(d.total), String(d.findings)]),
      ),
    );
  }
  if (run.sample.length > 0) {
    lines.push(
      '',
      `sample (${run.sample.length} of ${run.findings}):`,
      table(
        ['KEY', 'FIELDS'],
        run.sample.map((f) => [f.key, JSON.stringify(f.fields)]),
      ),
    );
  }
  return lines.join('\n');
}

/** A check's trend, one line per day. */
export function formatTrend(check: string, days: readonly CheckTrendDay[]): string {
  if (days.length === 0) return `no runs of ${check} in that period`;
  return table(
    ['DAY', 'RUNS', 'ERRORS', 'AVG', 'MIN', 'LAST', 'LAST FINDINGS'],
    days.map((d) => [
      d.day,
      String(d.runs),
      String(d.errors),
      score(d.avgScore),
      score(d.minScore),
      score(d.lastScore),
      d.lastFindings === undefined ? '-' : String(d.lastFindings),
    ]),
  );
}

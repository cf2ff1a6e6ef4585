import { formatDuration } from '../config/duration.js';
import type { DatasetStatus, GapInfo, StatusReport } from '../engine/status-report.js';
import type { JobRunSummary, JobSummary } from '../scheduler/job-summary.js';

const COLORS = { healthy: 32, degraded: 33, unhealthy: 31 } as const;

function paint(text: string, code: number): string {
  return process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[${code}m${text}\u001b[0m` : text;
}

/** Lays rows out as aligned columns. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatStatus(report: StatusReport): string {
  const rows = report.datasets.map((d) => [
    d.name,
    paint(d.status, COLORS[d.status]),
    String(d.records),
    d.last === null ? '-' : String(d.last),
    d.freshnessSeconds === null
      ? '-'
      : d.freshnessSeconds < 1
        ? 'just now'
        : `${formatDuration(d.freshnessSeconds * 1000)} ago`,
    `${d.coveragePercent.toFixed(2)}%`,
    d.openGaps === 0 ? '0' : `${d.openGaps} (${d.missingPartitions} missing)`,
    String(d.knownMissing),
    `${d.backfill.pending + d.backfill.running} queued, ${d.backfill.failed} failed`,
    formatSources(d),
  ]);
  const lines = [
    table(
      [
        'DATASET',
        'STATUS',
        'RECORDS',
        'LAST',
        'FRESHNESS',
        'COVERAGE',
        'GAPS',
        'KNOWN MISSING',
        'BACKFILL',
        'SOURCES',
      ],
      rows,
    ),
  ];
  for (const d of report.datasets) for (const r of d.reasons) lines.push(`  ${d.name}: ${r}`);
  return lines.join('\n');
}

function formatSources(d: DatasetStatus): string {
  if (d.sources.length === 0) return '-';
  return d.sources.map((s) => `${s.source}:${s.state === 'closed' ? 'ok' : s.state}`).join(' ');
}

export function formatGaps(dataset: string, gaps: GapInfo[]): string {
  if (gaps.length === 0) return `${dataset}: no open gaps`;
  const rows = gaps.map((g) => [
    g.from === g.to ? String(g.from) : `${g.from} .. ${g.to}`,
    String(g.count),
    g.ageSeconds === null ? '-' : formatDuration(g.ageSeconds * 1000),
  ]);
  const total = gaps.reduce((n, g) => n + g.count, 0);
  return `${table(['GAP', 'MISSING', 'AGE'], rows)}\n${gaps.length} gap(s), ${total} partition(s) missing`;
}

const local = (iso: string | null) =>
  iso === null ? '-' : iso.replace('T', ' ').replace(/(\d\d:\d\d:\d\d)([+-].*)$/, '$1 $2');

export function formatJobs(jobs: JobSummary[]): string {
  if (jobs.length === 0) return 'no jobs configured (add `collect` to a dataset or a `jobs` section)';
  return table(
    ['JOB', 'KIND', 'SCHEDULE', 'NEXT RUN (JOB ZONE)', 'NEXT RUN (UTC)', 'LAST RUN', 'STATE'],
    jobs.map((j) => [
      j.id,
      j.kind,
      j.schedule,
      j.paused ? 'paused' : `${local(j.nextDueLocal)} ${j.timezone}`,
      j.paused ? '-' : (j.nextDueAt?.replace('T', ' ').replace('.000Z', 'Z') ?? '-'),
      j.lastRun ? `${j.lastRun.state} ${j.lastRun.dueAt.replace('T', ' ').replace('.000Z', 'Z')}` : 'never',
      j.paused ? 'paused' : j.running > 0 ? 'running' : 'active',
    ]),
  );
}

export function formatRuns(job: string, runs: JobRunSummary[]): string {
  if (runs.length === 0) return `${job}: no runs yet`;
  return table(
    ['RUN', 'DUE (UTC)', 'TRIGGER', 'STATE', 'ATTEMPT', 'TOOK', 'LATE', 'RECORDS', 'DETAIL'],
    runs.map((r) => [
      String(r.id),
      r.dueAt.replace('T', ' ').replace('.000Z', 'Z'),
      r.trigger,
      r.state,
      String(r.attempt),
      r.durationMs === null ? '-' : formatDuration(r.durationMs),
      r.state === 'skipped' ? '-' : formatDuration(r.lateMs),
      r.records === null ? '-' : String(r.records),
      r.error ?? r.detail ?? '',
    ]),
  );
}

import type { DatasetStatus, GapInfo, StatusReport } from '../core/status-report.js';
import { formatDuration } from '../domain/duration.js';
import { table } from '../internal/text-table.js';

const COLORS = { healthy: 32, degraded: 33, unhealthy: 31 } as const;

function paint(text: string, code: number): string {
  return process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[${code}m${text}\u001b[0m` : text;
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
  // First, because nothing below can be trusted to stay true while the store cannot take writes.
  if (!report.store.ok)
    lines.unshift(
      ...report.store.reasons.map((r) => `${paint('store unhealthy', COLORS.unhealthy)}: ${r}`),
      '',
    );
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
    g.detectedAt === null ? '-' : new Date(g.detectedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    g.ageSeconds === null ? '-' : formatDuration(g.ageSeconds * 1000),
  ]);
  const total = gaps.reduce((n, g) => n + g.count, 0);
  // The age counts from DETECTED (when gapwarden found the gap), not from the partitions' dates in GAP.
  return `${table(['GAP', 'MISSING', 'DETECTED', 'AGE'], rows)}\n${gaps.length} gap(s), ${total} partition(s) missing`;
}

import { table } from '../internal/text-table.js';
import type { SeriesPoint, TopEntry } from './rollup-query.js';
import type { RollupStatus } from './rollups-runtime.js';

const num = (v: unknown): string =>
  typeof v === 'number'
    ? Number.isInteger(v)
      ? String(v)
      : v.toFixed(3)
    : v === null || v === undefined
      ? '-'
      : String(v);

const dimsText = (dims: Record<string, string | null>) =>
  Object.entries(dims)
    .map(([k, v]) => `${k}=${v ?? '∅'}`)
    .join(' ') || '(all)';

/** One row per point: bucket, dimensions, then each measure (quantiles as p50/p95/...). */
export function formatSeries(points: readonly SeriesPoint[]): string {
  if (points.length === 0) return 'no buckets in that range';
  const first = points[0] as SeriesPoint;
  const columns: string[] = [];
  for (const [name, v] of Object.entries(first.values)) {
    if (v !== null && typeof v === 'object') for (const q of Object.keys(v)) columns.push(`${name}.${q}`);
    else columns.push(name);
  }
  const rows = points.map((p) => [
    p.bucket,
    dimsText(p.dims),
    ...columns.map((c) => {
      const [name, q] = c.split('.', 2) as [string, string | undefined];
      const v = p.values[name];
      return num(q !== undefined && v !== null && typeof v === 'object' ? v[q] : v);
    }),
  ]);
  return table(['bucket', 'dimensions', ...columns], rows);
}

export function formatTop(entries: readonly TopEntry[], by: string): string {
  if (entries.length === 0) return 'nothing counted in that range';
  return table(
    ['#', 'dimensions', by, 'count'],
    entries.map((e) => [String(e.rank), dimsText(e.dims), num(e.value), String(e.count)]),
  );
}

export function formatStatus(status: readonly RollupStatus[]): string {
  if (status.length === 0) return 'no rollups configured';
  return table(
    ['rollup', 'dataset', 'bucket', 'dimensions', 'applied', 'pending', 'lag', 'top version'],
    status.map((s) => [
      s.name,
      s.dataset,
      `${s.bucket} ${s.timezone}`,
      s.dimensions.join(',') || '-',
      String(s.applied),
      String(s.pendingRecords),
      `${s.lagSeconds.toFixed(1)}s`,
      s.top?.latestVersion === null || s.top === null ? '-' : `v${s.top.latestVersion}`,
    ]),
  );
}

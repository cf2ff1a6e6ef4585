import type { SeriesPoint } from './rollup-api';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2'];
const W = 640;
const H = 160;

/** A value of a point: a plain measure, or one quantile (`latency.p95`). */
export function measureValue(p: SeriesPoint, measure: string): number | null {
  const [name, q] = measure.split('.', 2) as [string, string | undefined];
  const v = p.values[name];
  if (v === null || v === undefined) return null;
  if (typeof v === 'object') return q === undefined ? null : (v[q] ?? null);
  return v;
}

/** One line per group (dimension values) over the buckets: an SVG, no chart library. */
export function SeriesChart({
  points,
  measure,
  groups,
}: {
  points: SeriesPoint[];
  measure: string;
  groups: string[];
}) {
  const times = [...new Set(points.map((p) => p.bucketStart))].sort((a, b) => a - b);
  const values = points.map((p) => measureValue(p, measure)).filter((v): v is number => v !== null);
  const max = Math.max(1e-9, ...values);
  const x = (t: number) =>
    times.length <= 1
      ? W / 2
      : ((t - (times[0] as number)) / ((times[times.length - 1] as number) - (times[0] as number))) *
          (W - 20) +
        10;
  const y = (v: number) => H - 10 - (v / max) * (H - 30);
  return (
    <figure class="rollup-chart" data-measure={measure}>
      <figcaption>
        {measure} <span class="dataset-sub">max {Number.isInteger(max) ? max : max.toFixed(2)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} role="img" aria-label={`${measure} per bucket`}>
        {groups.map((g, i) => {
          const line = points
            .filter((p) => JSON.stringify(p.dims) === g)
            .sort((a, b) => a.bucketStart - b.bucketStart)
            .map((p) => [p.bucketStart, measureValue(p, measure)] as const)
            .filter((e): e is readonly [number, number] => e[1] !== null);
          const color = COLORS[i % COLORS.length];
          return (
            <g key={g} data-group={g}>
              <polyline
                fill="none"
                stroke={color}
                stroke-width="2"
                points={line.map(([t, v]) => `${x(t)},${y(v)}`).join(' ')}
              />
              {line.map(([t, v]) => (
                <circle key={t} cx={x(t)} cy={y(v)} r="2.5" fill={color}>
                  <title>{`${new Date(t).toISOString()} ${g}: ${v}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <ul class="rollup-legend">
        {groups.map((g, i) => (
          <li key={g} style={{ color: COLORS[i % COLORS.length] }}>
            {Object.values(JSON.parse(g) as Record<string, string | null>).join(' ') || '(all)'}
          </li>
        ))}
      </ul>
    </figure>
  );
}

const W = 640;
const H = 170;
const LEFT = 40;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 24;

export interface ScorePoint {
  /** Unique among the points (a day, a run id). */
  id: string;
  /** What the x axis says under the point (a day, a run's time). */
  label: string;
  /** 0-100; null (an error run, a day of errors only) leaves a hole in the line. */
  score: number | null;
  /** The tooltip. */
  title: string;
  /** The lowest score of a day: drawn as a faint mark below its point. */
  min?: number | null;
}

/** The lowest score the axis shows: a round ten below every score and the degraded threshold. */
export function axisFloor(scores: readonly number[], degraded: number): number {
  return Math.max(0, Math.floor((Math.min(degraded, ...scores) - 1) / 10) * 10);
}

/**
 * Scores as a line over evenly spaced points (oldest left), with the healthy and
 * degraded thresholds as dashed lines: an SVG, no chart library (as series-chart.tsx).
 */
export function ScoreChart({
  points,
  thresholds,
  label,
  testId,
}: {
  points: readonly ScorePoint[];
  thresholds: { healthy: number; degraded: number };
  label: string;
  testId: string;
}) {
  const scores = points.flatMap((p) => [p.score, p.min ?? null]).filter((s): s is number => s !== null);
  const floor = axisFloor(scores, thresholds.degraded);
  const x = (i: number) =>
    points.length <= 1
      ? LEFT + (W - LEFT - RIGHT) / 2
      : LEFT + (i / (points.length - 1)) * (W - LEFT - RIGHT);
  const y = (s: number) => TOP + ((100 - s) / (100 - floor || 1)) * (H - TOP - BOTTOM);
  // Segments between error points, so a failed run shows as a break rather than a drop to 0.
  const segments: string[][] = [[]];
  points.forEach((p, i) => {
    if (p.score === null) segments.push([]);
    else segments[segments.length - 1]?.push(`${x(i)},${y(p.score)}`);
  });
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <figure class="check-chart" data-testid={testId}>
      <figcaption>{label}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} role="img" aria-label={label}>
        {[100, floor].map((v) => (
          <g key={`axis-${v}`}>
            <line x1={LEFT} x2={W - RIGHT} y1={y(v)} y2={y(v)} stroke="#d1d5db" stroke-width="1" />
            <text x={LEFT - 6} y={y(v) + 4} text-anchor="end" font-size="11" fill="#6b7280">
              {v}
            </text>
          </g>
        ))}
        {(
          [
            ['healthy', thresholds.healthy, '#16a34a'],
            ['degraded', thresholds.degraded, '#d97706'],
          ] as const
        ).map(([name, v, color]) => (
          <g key={name} data-threshold={name}>
            <line
              x1={LEFT}
              x2={W - RIGHT}
              y1={y(v)}
              y2={y(v)}
              stroke={color}
              stroke-width="1"
              stroke-dasharray="4 4"
            />
            <text x={W - RIGHT} y={y(v) - 3} text-anchor="end" font-size="10" fill={color}>
              {name} {v}
            </text>
          </g>
        ))}
        {segments
          .filter((s) => s.length > 1)
          .map((s) => (
            <polyline key={s[0]} fill="none" stroke="#2563eb" stroke-width="2" points={s.join(' ')} />
          ))}
        {points.map((p, i) =>
          p.min !== undefined && p.min !== null && p.min !== p.score ? (
            <circle key={`min-${p.id}`} cx={x(i)} cy={y(p.min)} r="2.5" fill="#93c5fd" />
          ) : null,
        )}
        {points.map((p, i) =>
          p.score === null ? (
            <text key={p.id} x={x(i)} y={H - BOTTOM - 2} text-anchor="middle" font-size="12" fill="#dc2626">
              ×<title>{p.title}</title>
            </text>
          ) : (
            <circle
              key={p.id}
              class="score-point"
              data-score={p.score}
              cx={x(i)}
              cy={y(p.score)}
              r="3.5"
              fill="#2563eb"
            >
              <title>{p.title}</title>
            </circle>
          ),
        )}
        {first ? (
          <text
            x={x(0)}
            y={H - 6}
            text-anchor={points.length > 1 ? 'start' : 'middle'}
            font-size="11"
            fill="#6b7280"
          >
            {first.label}
          </text>
        ) : null}
        {last && points.length > 1 ? (
          <text x={x(points.length - 1)} y={H - 6} text-anchor="end" font-size="11" fill="#6b7280">
            {last.label}
          </text>
        ) : null}
      </svg>
    </figure>
  );
}

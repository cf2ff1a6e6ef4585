// Completeness colours shared by the heatmap, its legend and the completeness bars:
// red at 0 %, amber at 80 %, green only at 100 %, so any incomplete bucket stands out.

type Rgb = readonly [number, number, number];

const RED: Rgb = [207, 34, 46];
const AMBER: Rgb = [212, 167, 44];
const LIME: Rgb = [150, 190, 60];
const GREEN: Rgb = [26, 127, 55];

const STOPS: readonly (readonly [number, Rgb])[] = [
  [0, RED],
  [80, AMBER],
  [99.99, LIME],
  [100, GREEN],
];

function mix(a: Rgb, b: Rgb, t: number): string {
  const c = a.map((v, i) => Math.round(v + ((b[i] ?? v) - v) * t));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

export function percentColor(percent: number): string {
  const p = Math.max(0, Math.min(100, percent));
  for (let i = 1; i < STOPS.length; i++) {
    const [hi, hiColor] = STOPS[i]!;
    const [lo, loColor] = STOPS[i - 1]!;
    if (p <= hi) return mix(loColor, hiColor, hi === lo ? 1 : (p - lo) / (hi - lo));
  }
  return mix(GREEN, GREEN, 0);
}

/** The legend's gradient, built from the same stops. */
export const LEGEND_GRADIENT = `linear-gradient(to right, ${STOPS.map(([p, c]) => `${mix(c, c, 0)} ${p}%`).join(', ')})`;

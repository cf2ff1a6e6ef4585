import type { CompiledRank, CompiledRollup, RollupBucket } from '../config/compiled-rollups.js';
import type { BucketState, MeasureValue } from './bucket-state.js';
import { createBucketClock } from './bucket-time.js';

/** A stored cell, decoded. */
export interface DecodedCell {
  bucketStart: number;
  /** Dimension values in the rollup's dimension order. */
  dims: ReadonlyArray<string | null>;
  state: BucketState;
}

export interface SeriesOptions {
  /** The bucket of the answer: the rollup's or a coarser one (sketches merged). */
  bucket: RollupBucket;
  /** Only cells whose dimensions have these values. */
  filter: Readonly<Record<string, string>>;
  /** The dimensions kept apart in the answer; the others are merged. */
  groupBy: readonly string[];
  /** Quantiles reported for quantiles measures, e.g. [0.5, 0.95, 0.99]. */
  quantiles: readonly number[];
}

export interface SeriesPoint {
  /** ISO instant the bucket starts at. */
  bucket: string;
  bucketStart: number;
  dims: Record<string, string | null>;
  values: Record<string, MeasureValue>;
}

export interface TopEntry {
  rank: number;
  dims: Record<string, string | null>;
  value: number;
  count: number;
}

/** Whether a cell's dimension values match `filter`. */
export function matchesFilter(
  rollup: CompiledRollup,
  dims: ReadonlyArray<string | null>,
  filter: Readonly<Record<string, string>>,
): boolean {
  for (const [name, want] of Object.entries(filter)) {
    const i = rollup.dimensions.indexOf(name);
    if (i < 0 || dims[i] !== want) return false;
  }
  return true;
}

function group(
  rollup: CompiledRollup,
  cells: readonly DecodedCell[],
  filter: Readonly<Record<string, string>>,
  groupBy: readonly string[],
  bucketOf: (start: number) => number,
  empty: () => BucketState,
): Map<string, { bucketStart: number; dims: Record<string, string | null>; state: BucketState }> {
  const indexes = groupBy.map((d) => rollup.dimensions.indexOf(d));
  const out = new Map<
    string,
    { bucketStart: number; dims: Record<string, string | null>; state: BucketState }
  >();
  for (const cell of cells) {
    if (!matchesFilter(rollup, cell.dims, filter)) continue;
    const bucketStart = bucketOf(cell.bucketStart);
    const values = indexes.map((i) => cell.dims[i] ?? null);
    const key = `${bucketStart}|${JSON.stringify(values)}`;
    let g = out.get(key);
    if (!g) {
      const dims: Record<string, string | null> = {};
      groupBy.forEach((name, k) => {
        dims[name] = values[k] ?? null;
      });
      g = { bucketStart, dims, state: empty() };
      out.set(key, g);
    }
    g.state.merge(cell.state);
  }
  return out;
}

/** A series: one point per (bucket, group), ordered by time then by group. */
export function buildSeries(
  rollup: CompiledRollup,
  cells: readonly DecodedCell[],
  options: SeriesOptions,
  empty: () => BucketState,
): SeriesPoint[] {
  const clock = createBucketClock(options.bucket, rollup.timezone);
  const groups = group(rollup, cells, options.filter, options.groupBy, (s) => clock.startOf(s), empty);
  return [...groups.values()]
    .sort(
      (a, b) => a.bucketStart - b.bucketStart || JSON.stringify(a.dims).localeCompare(JSON.stringify(b.dims)),
    )
    .map((g) => ({
      bucket: new Date(g.bucketStart).toISOString(),
      bucketStart: g.bucketStart,
      dims: g.dims,
      values: g.state.values(options.quantiles),
    }));
}

/**
 * The top `n` groups over all the cells given, by one measure (sketches
 * merged over the whole range first, so unique clients are not summed per
 * hour). Ties are broken by count, then by dimension values.
 */
export function buildTop(
  rollup: CompiledRollup,
  cells: readonly DecodedCell[],
  by: CompiledRank,
  n: number,
  filter: Readonly<Record<string, string>>,
  groupBy: readonly string[],
  empty: () => BucketState,
): TopEntry[] {
  const groups = group(rollup, cells, filter, groupBy, () => 0, empty);
  const ranked: Omit<TopEntry, 'rank'>[] = [];
  for (const g of groups.values()) {
    const value = g.state.rankValue(by.measure, by.quantile);
    if (value === null) continue;
    ranked.push({ dims: g.dims, value, count: g.state.count });
  }
  ranked.sort(
    (a, b) =>
      b.value - a.value || b.count - a.count || JSON.stringify(a.dims).localeCompare(JSON.stringify(b.dims)),
  );
  return ranked.slice(0, n).map((e, i) => ({ rank: i + 1, ...e }));
}

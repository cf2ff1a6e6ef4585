import type { CompiledRollup } from '../config/compiled-rollups.js';
import type { Partitioning } from '../domain/partitioning.js';
import { BucketState } from './bucket-state.js';
import { type BucketClock, createBucketClock } from './bucket-time.js';

/** One detail record as the rollup reads it. */
export interface RollupInput {
  ordinal: number;
  /** The payload as stored (JSON text). */
  payload: string;
}

/** One cell: dimension values and bucket, with its measures. */
export interface RollupCell {
  bucketStart: number;
  /** The dimension values as stored: a JSON array of strings (null: the field was missing). */
  dims: string;
  state: BucketState;
}

/** Cells of a batch keyed by `bucketStart|dims`, and what could not be placed. */
export interface Aggregation {
  cells: Map<string, RollupCell>;
  /** Records without a usable time (a missing or unparsable time field); counted nowhere. */
  skipped: number;
  /**
   * The same cells by bucket, then one level per dimension value: finding a
   * record's cell needs no string built per record (the dims JSON is made once per cell).
   */
  index?: Map<number, CellTree>;
}

/** Dimension values to the next level, the last one to its cell. */
type CellTree = Map<string | null, CellTree | RollupCell>;

/**
 * Folds detail records into cells. Pure: the same records give the same
 * cells whether they arrive one batch at a time (incremental) or all at once
 * (rebuild), which is what makes a rebuild equal the incremental result.
 */
export interface RollupAggregator {
  readonly rollup: CompiledRollup;
  /** The time of a record: its time field, or its partition's instant; undefined when it has none. */
  timeOf(record: RollupInput, payload: Record<string, unknown>): number | undefined;
  /** Adds records to `into` (a fresh aggregation by default) and returns it. */
  aggregate(
    records: Iterable<RollupInput>,
    into?: Aggregation,
    keep?: (bucketStart: number) => boolean,
  ): Aggregation;
  /** An empty cell state of this rollup's measures. */
  emptyState(): BucketState;
}

export function createRollupAggregator(rollup: CompiledRollup, partitioning: Partitioning): RollupAggregator {
  const clock: BucketClock = createBucketClock(rollup.bucket, rollup.timezone);
  const { dimensions, timeField, measures } = rollup;
  const timeOf = (record: RollupInput, payload: Record<string, unknown>): number | undefined => {
    if (timeField === undefined) return partitioning.instantOf(record.ordinal);
    const raw = payload[timeField];
    const t = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
    return Number.isFinite(t) ? t : undefined;
  };
  return {
    rollup,
    timeOf,
    emptyState: () => new BucketState(measures),
    aggregate(records, into = { cells: new Map(), skipped: 0 }, keep) {
      const values: Array<string | null> = new Array(dimensions.length);
      const last = dimensions.length - 1;
      into.index ??= new Map();
      const index = into.index;
      for (const record of records) {
        let payload: Record<string, unknown>;
        try {
          const parsed: unknown = JSON.parse(record.payload);
          payload = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
        } catch {
          payload = {};
        }
        const t = timeOf(record, payload);
        if (t === undefined) {
          into.skipped++;
          continue;
        }
        const bucketStart = clock.startOf(t);
        if (keep && !keep(bucketStart)) continue;
        for (let i = 0; i < dimensions.length; i++) {
          const v = payload[dimensions[i] as string];
          values[i] = v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
        }
        let level = index.get(bucketStart);
        if (!level) {
          level = new Map();
          index.set(bucketStart, level);
        }
        // No dimension: the bucket's one cell sits under null.
        for (let i = 0; i < last; i++) {
          const value = values[i] as string | null;
          let next = level.get(value) as CellTree | undefined;
          if (!next) {
            next = new Map();
            level.set(value, next);
          }
          level = next;
        }
        const leaf = last < 0 ? null : (values[last] as string | null);
        let cell = level.get(leaf) as RollupCell | undefined;
        if (!cell) {
          const dims = JSON.stringify(values);
          cell = { bucketStart, dims, state: new BucketState(measures) };
          level.set(leaf, cell);
          into.cells.set(`${bucketStart}|${dims}`, cell);
        }
        cell.state.add(payload);
      }
      return into;
    },
  };
}

/** A measure with every default applied. */
export type CompiledMeasure =
  | { name: string; kind: 'count' }
  | { name: string; kind: 'sum' | 'min' | 'max'; field: string }
  | { name: string; kind: 'unique'; field: string; precision: number }
  | { name: string; kind: 'quantiles'; field: string; compression: number };

export type RollupBucket = 'minute' | 'hour' | 'day';

/** What a top-N ranks by: a measure, and for a quantiles measure the quantile. */
export interface CompiledRank {
  measure: string;
  quantile: number | undefined;
  /** As configured, e.g. `requests` or `latency.p95`. */
  label: string;
}

export interface CompiledTop {
  by: CompiledRank;
  n: number;
  windowMs: number;
  everyIngests: number;
  everyMs: number;
  keep: number;
}

/** One rollup, fully resolved. */
export interface CompiledRollup {
  name: string;
  dataset: string;
  dimensions: string[];
  bucket: RollupBucket;
  timezone: string;
  /** undefined: the record's partition instant. */
  timeField: string | undefined;
  measures: CompiledMeasure[];
  top: CompiledTop | undefined;
}

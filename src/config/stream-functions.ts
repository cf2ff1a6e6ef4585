/**
 * The signatures of the user functions a `streams:` pipeline calls (its
 * modules and function sinks). Here, in the config layer, because
 * `defineConfig` types them; the streams module (higher) calls them with
 * the pipeline's values, which have exactly these shapes.
 */

/** One keyed topic of a closed window. */
export interface StreamWindowSeries {
  /** `present[i]` is true when a real message filled slot `i`. */
  readonly present: readonly boolean[];
  readonly count: number;
  /** The raw payload per slot, `null` where no message arrived. */
  readonly samples: readonly (Record<string, unknown> | null)[];
  /** Per field named in `fills`: one value per slot, real or filled; `null` marks `missing`. */
  readonly values: Readonly<Record<string, readonly unknown[]>>;
}

/** What a module function receives for one key and one closed window. */
export interface StreamModuleContext {
  readonly pipeline: string;
  readonly key: string;
  /** The batch the window belongs to: the ISO time of its last slot. */
  readonly batchId: string;
  readonly window: {
    readonly start: number;
    readonly end: number;
    readonly slots: readonly number[];
    readonly topics: Readonly<Record<string, StreamWindowSeries>>;
    readonly closedBy: 'watermark' | 'quiet';
  };
  /** The latest message of each global topic seen so far. */
  readonly global: Readonly<Record<string, { id: string; time: number; payload: Record<string, unknown> }>>;
  /** Results of the modules this one depends on, by module name. */
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** A module: returns its result for the key and window (null/undefined: none), sync or async. */
export type StreamModuleFunction = (ctx: StreamModuleContext) => unknown;

/** One module result handed to a sink. */
export interface StreamSinkResult {
  readonly kind: 'result';
  readonly pipeline: string;
  readonly module: string;
  readonly key: string;
  readonly batchId: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** `pipeline/module/key/windowEnd`: the same window always yields it, so a sink can absorb repeats. */
  readonly outputKey: string;
  readonly value: unknown;
}

/** One batch report handed to a sink (see docs/streams.md for the fields). */
export interface StreamSinkBatch {
  readonly kind: 'batch';
  readonly pipeline: string;
  readonly batchId: string;
  readonly status: 'complete' | 'timed-out';
  readonly expectedKeys: readonly string[];
  readonly results: readonly { key: string; outputs: Readonly<Record<string, unknown>> }[];
  readonly missingKeys: readonly string[];
  readonly missingTopics: readonly string[];
  readonly availabilityRatio: number;
}

/**
 * A function sink: receives results and batch reports before the messages
 * behind them are acknowledged. It may see an item again after a crash, so
 * it writes idempotently (by `outputKey`, or by `pipeline` + `batchId`).
 */
export type StreamSinkFunction = (items: readonly (StreamSinkResult | StreamSinkBatch)[]) => unknown;

/**
 * The shapes of the pure stream pipeline: what it is given (a definition compiled from config plus user
 * functions, and messages), and what it hands back (module results and batch reports).
 *
 * Time model. Every keyed topic is sampled on the declared cadence: a message at time `t` belongs to the
 * slot `floor(t / cadenceMs) * cadenceMs`. A window is a run of consecutive slots ending at a slot where
 * the key received a message (its trigger slot); missing slots inside it are filled per field.
 */

/** One message as the runner hands it over (already decoded). */
export interface PipelineMessage {
  topic: string;
  /** The broker's id for this message (stream sequence, entry id, offset); used to absorb duplicates. */
  id: string;
  /** Message time in ms since the epoch (the sample's own time, not the arrival time). */
  time: number;
  payload: Record<string, unknown>;
  /**
   * The engine delivered it before (to a consumer that may have died before storing its window).
   * A redelivered message too old for its key's windows here is replayed, not dropped as late.
   */
  redelivered?: boolean;
}

/** How a missing slot of one field is filled. */
export type FillStrategy = 'zero' | 'linear' | 'forward' | 'missing';

/** The value a slot holds when no fill applies: an explicit marker, never a made-up number. */
export const MISSING = null;

/** A window over message time, in cadence slots. Give `samples` or `duration`, not both. */
export interface WindowDefinition {
  /** A window of this many slots (the seed's `window_size`, e.g. 5). */
  samples?: number;
  /** A window spanning this many ms of message time (`ceil(duration / cadenceMs)` slots). */
  duration?: number;
  /**
   * How long (message time, ms) after the end of its last slot a window waits for late or out-of-order
   * messages of the same key before it closes. 0 closes it as soon as the key moves to a later slot.
   */
  graceMs: number;
  /** Wall-clock ms without any message for a key after which its open windows close with what they have. */
  quietCloseMs: number;
  /**
   * Whose message time closes a key's windows. `key`: only the key's own messages, so a key that lags
   * behind the others (a slow partition, a backlog) loses nothing. `stream`: also the newest message time
   * of any key, so a key that skipped a sample closes its earlier windows together with the other keys
   * and makes their batches in time; a key lagging by more than the grace has its messages dropped as late.
   * @default 'key'
   */
  closeBy?: 'key' | 'stream';
}

/** A topic the pipeline reads. */
export interface PipelineTopic {
  name: string;
  /**
   * A global topic holds data for every key (weather, prices): its latest message is in every key's
   * context, including keys that appear later. It is not split by `keyBy` and opens no window.
   * @default false
   */
  global?: boolean;
}

/** What a module function receives for one key and one closed window. */
export interface ModuleContext {
  pipeline: string;
  key: string;
  /** The batch this window belongs to: the ISO time of its last slot. */
  batchId: string;
  window: PipelineWindow;
  /** The latest message of each global topic seen so far (absent when none arrived yet). */
  global: Readonly<Record<string, GlobalValue>>;
  /** Results of the modules this one depends on, by module name (each non-null). */
  inputs: Readonly<Record<string, unknown>>;
}

export interface GlobalValue {
  id: string;
  time: number;
  payload: Record<string, unknown>;
}

/** One closed window of one key: every keyed topic over the same slots. */
export interface PipelineWindow {
  /** Time of the first slot (ms). */
  start: number;
  /** Time of the last slot (ms), the trigger slot. */
  end: number;
  /** The slot times, oldest first (`length` is the window size). */
  slots: readonly number[];
  /** Per keyed topic. */
  topics: Readonly<Record<string, WindowSeries>>;
  /** Why the window closed: a later message passed its grace, or the key went quiet. */
  closedBy: 'watermark' | 'quiet';
}

/** One topic of a window. */
export interface WindowSeries {
  /** `present[i]` is true when a real message filled slot `i`. */
  present: readonly boolean[];
  /** How many slots hold a real message. */
  count: number;
  /** The raw payload per slot, `null` where no message arrived. */
  samples: readonly (Record<string, unknown> | null)[];
  /** Per field declared in `fills`: one value per slot, real or filled; `null` is the missing marker. */
  values: Readonly<Record<string, readonly unknown[]>>;
}

/** A user function in the module graph. */
export interface PipelineModule {
  name: string;
  /** Modules whose results this one needs; it runs only when each of them produced a non-null result. */
  dependsOn?: readonly string[];
  /** Returns the module's result (`null`/`undefined`: no result for this key and window), sync or async. */
  run(ctx: ModuleContext): unknown;
}

/** Collects one batch (one window end) across all expected keys. */
export interface BatchDefinition {
  /** The keys a batch waits for. When absent, the keys alive when the batch opens (and any joining). */
  expectedKeys?: readonly string[];
  /**
   * Wall-clock ms after the first result of a batch before it is handed over with what arrived.
   * @default 5000
   */
  timeoutMs?: number;
}

/** The compiled definition of one pipeline: plain data plus user functions. */
export interface PipelineDefinition {
  name: string;
  /** The payload field whose value is the key (e.g. `stationId`); numbers are keyed by their decimal text. */
  keyBy: string;
  topics: readonly PipelineTopic[];
  window: WindowDefinition;
  /** The expected spacing of samples on keyed topics, ms (the stream's declared cadence). */
  cadenceMs: number;
  /** Fill strategy per payload field; only these fields get a `values` series. */
  fills: Readonly<Record<string, FillStrategy>>;
  /** Wall-clock ms without messages after which a key's state is dropped (must be ≥ `quietCloseMs`). */
  idleExpiryMs: number;
  modules: readonly PipelineModule[];
  /** Absent: no batch reports. */
  batch?: BatchDefinition;
  /**
   * How many windows (of different keys) may run their modules at once when modules are async.
   * @default 16
   */
  concurrency?: number;
}

/** The result of one module for one key and window. */
export interface ModuleResultOutput {
  kind: 'result';
  pipeline: string;
  key: string;
  module: string;
  batchId: string;
  windowStart: number;
  windowEnd: number;
  /** `pipeline/module/key/windowEnd`: the same window always yields the same key, so sinks absorb repeats. */
  outputKey: string;
  /** ok: `value` holds the result; empty: the module returned nothing; failed: it threw (`error`);
   * skipped: a module it depends on did not produce a result. */
  status: 'ok' | 'empty' | 'failed' | 'skipped';
  value?: unknown;
  error?: string;
}

/** A batch handed over, complete or at its timeout. */
export interface BatchReport {
  pipeline: string;
  batchId: string;
  windowEnd: number;
  status: 'complete' | 'timed-out';
  /** Wall-clock ms of the first result and of the hand-over. */
  openedAt: number;
  closedAt: number;
  expectedKeys: readonly string[];
  /** Keys with at least one module result, and those results by module name. */
  results: readonly { key: string; outputs: Readonly<Record<string, unknown>> }[];
  /** Expected keys that produced no window for this batch in time. */
  missingKeys: readonly string[];
  /** Topics without a single real sample in some reporting key's window (or, global, never received). */
  missingTopics: readonly string[];
  /** The same, per reporting key. */
  missingTopicsByKey: Readonly<Record<string, readonly string[]>>;
  /**
   * Present (key, topic) pairs over expected ones: each expected key counts every topic; a missing key
   * counts all of them as missing. 1 means every key reported with every topic.
   */
  availabilityRatio: number;
}

export interface BatchReportOutput {
  kind: 'batch';
  report: BatchReport;
}

export type PipelineOutput = ModuleResultOutput | BatchReportOutput;

/** A message whose effects are all in outputs already returned: safe to acknowledge once those are stored. */
export interface SettledMessage {
  topic: string;
  id: string;
}

export interface PipelineStats {
  keys: number;
  accepted: number;
  duplicates: number;
  /** Messages older than a window already closed for their key: dropped (and settled). */
  late: number;
  windowsClosed: number;
  quietCloses: number;
  expiredKeys: number;
  moduleRuns: number;
  moduleFailures: number;
  /** Windows whose async modules are running or waiting for a concurrency slot. */
  inFlight: number;
  /** Messages held because an open window (or a fill) still needs them. */
  held: number;
  batchesOpen: number;
  batchesComplete: number;
  batchesTimedOut: number;
}

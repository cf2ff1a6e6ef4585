import type { StreamModuleFunction, StreamSinkFunction } from './stream-functions.js';

/** Where a stream client connects: a `streams.clients.<name>` entry, compiled. */
export type StreamClientSpec =
  | { readonly engine: 'nats'; readonly servers: readonly string[] }
  | { readonly engine: 'redis'; readonly url: string }
  | { readonly engine: 'kafka'; readonly brokers: readonly string[]; readonly clientId?: string };

export type CompiledStreamSink =
  | {
      type: 'topic';
      topic: string;
      client: string;
      /** Undefined: every module. */
      modules: readonly string[] | undefined;
      batches: boolean;
    }
  | { type: 'dataset'; dataset: string; module: string }
  | {
      type: 'function';
      run: StreamSinkFunction;
      modules: readonly string[] | undefined;
      batches: boolean;
    };

/** One pipeline with every default resolved (the pipeline core's definition plus the runner's settings). */
export interface CompiledStreamPipeline {
  name: string;
  client: string;
  group: string;
  timeField: string;
  topics: readonly { name: string; global: boolean; batchLimit: number }[];
  keyBy: string;
  cadenceMs: number;
  window: { samples?: number; duration?: number; graceMs: number; quietCloseMs: number };
  fills: Readonly<Record<string, 'zero' | 'linear' | 'forward' | 'missing'>>;
  idleExpiryMs: number;
  modules: readonly { name: string; dependsOn: readonly string[]; run: StreamModuleFunction }[];
  batch: { timeoutMs: number; expectedKeys?: readonly string[] } | undefined;
  concurrency: number;
  /** Commit after this many messages or this many ms, whichever first. */
  commitEvery: number;
  commitIntervalMs: number;
  /** While a backlog drains (a fetch came back full): commit after this many messages (>= commitEvery). */
  backlogCommitEvery: number;
  ackWaitMs: number;
  deadLetterTopic: string;
  sinks: readonly CompiledStreamSink[];
}

export interface CompiledStreams {
  clients: Readonly<Record<string, StreamClientSpec>>;
  pipelines: readonly CompiledStreamPipeline[];
}

import { z } from 'zod';
import type { StreamModuleFunction, StreamSinkFunction } from './stream-functions.js';

const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration such as "500ms", "30s", "5m", "2h" or "1d"'),
]);
const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/i;
const NAME_MESSAGE = 'a name of letters, digits, _ or - (starting with a letter or digit, at most 63)';
const name = z.string().regex(NAME, NAME_MESSAGE);
const topicName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'a topic of letters, digits, ".", "_" or "-"');

/** Where a client connects: exactly one of `nats`, `redis`, `kafka`. */
const clientSchema = z.union([
  z.object({ nats: z.object({ servers: z.array(z.string().min(1)).min(1) }).strict() }).strict(),
  z
    .object({ redis: z.object({ url: z.string().regex(/^rediss?:\/\//, 'a redis:// URL') }).strict() })
    .strict(),
  z
    .object({
      kafka: z
        .object({ brokers: z.array(z.string().min(1)).min(1), clientId: z.string().optional() })
        .strict(),
    })
    .strict(),
]);

const topicSchema = z.union([
  topicName,
  z
    .object({
      name: topicName,
      /** Its latest message reaches every key's context, including keys that appear later. @default false */
      global: z.boolean().optional(),
      /** The most messages one fetch of this topic takes. @default the pipeline's `batchLimit` */
      batchLimit: z.number().int().positive().optional(),
    })
    .strict(),
]);

const moduleSchema = z
  .object({
    /** Modules whose results this one needs. @default [] */
    dependsOn: z.array(z.string()).optional(),
    run: z.custom<StreamModuleFunction>(
      (v) => typeof v === 'function',
      'a function (only in a TypeScript config)',
    ),
  })
  .strict();

/** Which module results a sink takes (`modules`) and whether it takes batch reports (`batches`). */
const selection = {
  /** @default every module */
  modules: z.array(z.string()).optional(),
  /** Batch reports too. @default false */
  batches: z.boolean().optional(),
};

const sinkSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('topic'),
      topic: topicName,
      /** @default the pipeline's client */
      client: name.optional(),
      ...selection,
    })
    .strict(),
  z
    .object({
      type: z.literal('dataset'),
      /** A gapwarden dataset: each result is a record keyed `outputKey`, partition the window end (ISO). */
      dataset: z.string(),
      /** The module whose results it stores. */
      module: z.string(),
    })
    .strict(),
  z
    .object({
      type: z.literal('function'),
      run: z.custom<StreamSinkFunction>(
        (v) => typeof v === 'function',
        'a function (only in a TypeScript config)',
      ),
      ...selection,
    })
    .strict(),
]);

const pipelineSchema = z
  .object({
    /** A name under `streams.clients`. */
    client: name,
    /** The consumer group (durable name): the position is kept under it. @default `gapwarden-<pipeline>` */
    group: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, _ or -')
      .optional(),
    topics: z.array(topicSchema).min(1),
    /** The payload field whose value is the key, e.g. `stationId`. */
    keyBy: z.string().min(1),
    /** The payload field holding the message time (ms since the epoch or ISO text). @default 'time' */
    timeField: z.string().min(1).optional(),
    /** The expected spacing of samples on keyed topics, like a dataset's calendar. */
    cadence: duration,
    window: z
      .object({
        /** A window of this many cadence slots. */
        samples: z.number().int().positive().optional(),
        /** Or a window spanning this much message time. */
        duration: duration.optional(),
        /** How long a window waits for late messages. @default 0 */
        grace: duration.optional(),
        /** Wall-clock time without messages after which a key's open windows close. @default 2 × cadence × samples */
        quietClose: duration.optional(),
      })
      .strict(),
    /** Fill strategy per payload field: `zero`, `linear`, `forward` or `missing`. */
    fills: z.record(z.string(), z.enum(['zero', 'linear', 'forward', 'missing'])).optional(),
    /** Wall-clock time without messages after which a key's state is dropped. @default '10m' */
    idleExpiry: duration.optional(),
    modules: z.record(name, moduleSchema).optional(),
    /** Per-key work running at once when modules are async. @default 16 */
    concurrency: z.number().int().positive().optional(),
    batch: z
      .object({
        /** @default '5s' */
        timeout: duration.optional(),
        /** The keys a batch waits for. @default the keys alive when the batch opens */
        expectedKeys: z.array(z.string()).min(1).optional(),
      })
      .strict()
      .optional(),
    /** When acknowledged messages are committed: every `messages`, or `interval`, whichever first. */
    commit: z
      .object({
        /** @default 100 */
        messages: z.number().int().positive().optional(),
        /** @default '5s' */
        interval: duration.optional(),
        /**
         * While a backlog drains (a fetch came back full), commit every this many messages instead: fewer,
         * larger commits. Once caught up, `messages` and `interval` apply again. @default 1000
         */
        backlogMessages: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    /** The most messages one fetch of a topic takes. @default 200 */
    batchLimit: z.number().int().positive().optional(),
    /** How long a delivered message stays with this consumer before the engine redelivers it. @default '30s' */
    ackWait: duration.optional(),
    /** Where malformed messages go, with the reason. @default `<first topic>.dead-letter` */
    deadLetterTopic: topicName.optional(),
    sinks: z.array(sinkSchema).optional(),
  })
  .strict();

/** The `streams:` section (docs/streams.md). */
export const streamsSchema = z
  .object({
    clients: z.record(name, clientSchema),
    pipelines: z.record(name, pipelineSchema).optional(),
  })
  .strict();

export type StreamsConfig = z.input<typeof streamsSchema>;
export type StreamPipelineConfig = z.output<typeof pipelineSchema>;

/**
 * The contract every stream engine implements (NATS JetStream, Redis
 * Streams, Kafka). Nothing outside an adapter folder knows which engine it
 * talks to: the runner fetches, hands messages to the pipeline, stores their
 * effects and only then calls `ack`, so a crash before `ack` means
 * redelivery, never loss.
 */

/** One message as delivered by a consumer. */
export interface StreamMessage {
  /** The topic it was read from (a NATS subject, a Redis stream key, a Kafka topic). */
  readonly topic: string;
  /**
   * The engine's position of the message, unique within its topic and the
   * same on every redelivery: NATS stream sequence, Redis entry id, Kafka
   * `partition:offset`. Idempotency keys are built from it.
   */
  readonly id: string;
  /** The raw body, not yet parsed (the runner parses, so bad JSON goes to the dead-letter topic). */
  readonly body: Uint8Array;
  /** Whether the engine says it delivered this message before (unknown engines say false). */
  readonly redelivered: boolean;
}

/** A message to publish. */
export interface OutgoingMessage {
  /** Its body: an object is sent as JSON. */
  readonly body: Uint8Array | string | Record<string, unknown>;
  /** A partitioning key (Kafka's message key; ignored by NATS and Redis). */
  readonly key?: string;
  /**
   * A de-duplication id: NATS drops a second message with the same id within
   * the stream's duplicate window (`Nats-Msg-Id`); a Redis entry carries it
   * as its `id` field; a Kafka record as its `id` header.
   */
  readonly dedupeId?: string;
}

/** How one durable consumer of one topic is opened. */
export interface ConsumerOptions {
  readonly topic: string;
  /** The consumer group (NATS durable name, Redis group, Kafka group id): the position is kept under it. */
  readonly group: string;
  /** This process's name in the group (Redis consumer name, Kafka client id). */
  readonly consumerName: string;
  /**
   * How long a delivered, unacknowledged message stays with its consumer
   * before the engine gives it to another one (NATS `ack_wait`; Redis
   * `XAUTOCLAIM` min idle time; Kafka: the session timeout).
   */
  readonly ackWaitMs: number;
  /** The most messages one fetch returns: the per-topic batch limit. */
  readonly batchLimit: number;
}

/** One durable consumer of one topic. */
export interface StreamConsumer {
  readonly topic: string;
  /**
   * Up to `batchLimit` messages, waiting at most `waitMs` for the first one;
   * an empty array when none came. Rejects once `signal` aborts.
   */
  fetch(waitMs: number, signal?: AbortSignal): Promise<StreamMessage[]>;
  /**
   * Whether the last fetch left messages waiting for this consumer (a backlog is draining): the runner
   * commits larger batches meanwhile, and commits at once when it turns false.
   */
  behind(): boolean;
  /** Acknowledges (commits) messages whose effects are stored. */
  ack(messages: readonly StreamMessage[]): Promise<void>;
  /** Messages of the topic not yet acknowledged by the group (undefined when the engine cannot tell). */
  lag(): Promise<number | undefined>;
  /** Stops fetching; unacknowledged messages are redelivered (after the ack wait). */
  close(): Promise<void>;
}

/** A connection to one stream server (or cluster). */
export interface StreamClient {
  /** `nats`, `redis` or `kafka`. */
  readonly engine: StreamEngine;
  /** Where it connects, without credentials (for logs and status). */
  readonly target: string;
  /** Creates the topic if the engine needs it created (a JetStream stream, a Kafka topic); idempotent. */
  ensureTopic(topic: string): Promise<void>;
  /** Publishes messages and resolves once the server has them. */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /** Opens a durable consumer (created on first use; its position survives restarts). */
  consumer(options: ConsumerOptions): Promise<StreamConsumer>;
  /**
   * Orders two ids of one topic as the engine delivers them first time (negative: `a` came first), so
   * the checkpoint keeps the newest id acknowledged whatever order acknowledgements come in.
   */
  compareIds(a: string, b: string): number;
  /** Closes every consumer and the connection. */
  close(): Promise<void>;
}

export type StreamEngine = 'nats' | 'redis' | 'kafka';

/** Compares ids made of numbers joined by `separator` (`ms-seq`, `partition:offset`), part by part. */
export function compareNumberedIds(a: string, b: string, separator: string): number {
  const x = a.split(separator);
  const y = b.split(separator);
  const digits = /^\d+$/;
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i] ?? '0';
    const q = y[i] ?? '0';
    // An id of another engine (a pipeline moved to another client) orders as text rather than throwing.
    if (!digits.test(p) || !digits.test(q)) return p < q ? -1 : p > q ? 1 : 0;
    const d = BigInt(p) - BigInt(q);
    if (d !== 0n) return d < 0n ? -1 : 1;
  }
  return 0;
}

const encoder = new TextEncoder();

/** The bytes of an outgoing body: strings as UTF-8, objects as JSON. */
export function encodeBody(body: OutgoingMessage['body']): Uint8Array {
  if (body instanceof Uint8Array) return body;
  return encoder.encode(typeof body === 'string' ? body : JSON.stringify(body));
}

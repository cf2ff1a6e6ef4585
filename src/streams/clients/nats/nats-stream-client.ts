import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { GapwardenError } from '../../../internal/errors.js';
import { createMessageBuffer } from '../message-buffer.js';
import {
  type ConsumerOptions,
  compareNumberedIds,
  encodeBody,
  type StreamClient,
  type StreamConsumer,
  type StreamMessage,
} from '../stream-client.js';

export interface NatsStreamClientOptions {
  /** Server URLs, e.g. `['nats://127.0.0.1:4222']`. */
  readonly servers: readonly string[];
  /** How long connecting may take before `STREAM_UNAVAILABLE`. @default 3000 */
  readonly connectTimeoutMs?: number;
}

/** A JetStream stream holds one topic (subject); its name is the subject with `.`, `*`, `>` replaced. */
export function natsStreamName(topic: string): string {
  return topic.replace(/[.*>\s/\\]/g, '_').toUpperCase();
}

/** A durable consumer name: letters, digits, `-` and `_` only. */
function durableName(group: string): string {
  return group.replace(/[^A-Za-z0-9_-]/g, '_');
}

interface NatsMessage extends StreamMessage {
  readonly raw: JsMsg;
}

/**
 * NATS JetStream: one stream per topic, durable pull consumers with explicit
 * acks; a message not acknowledged within `ackWaitMs` is redelivered (to
 * this process after a restart, or to another one of the group).
 */
export async function createNatsStreamClient(options: NatsStreamClientOptions): Promise<StreamClient> {
  const target = options.servers.map((s) => s.replace(/\/\/[^@/]*@/, '//')).join(',');
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: [...options.servers],
      timeout: options.connectTimeoutMs ?? 3_000,
      maxReconnectAttempts: -1,
    });
  } catch (err) {
    throw new GapwardenError(
      'STREAM_UNAVAILABLE',
      `cannot connect to NATS at ${target}: ${(err as Error).message}; start nats-server with JetStream (-js) or fix streams.clients.<name>.servers`,
      { cause: err, retryable: true },
    );
  }
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
  } catch (err) {
    await nc.close();
    throw new GapwardenError(
      'STREAM_UNAVAILABLE',
      `NATS at ${target} has no JetStream: start nats-server with -js (${(err as Error).message})`,
      { cause: err, retryable: true },
    );
  }
  const js: JetStreamClient = jetstream(nc);
  const ensured = new Set<string>();
  const consumers = new Set<StreamConsumer>();

  async function ensureTopic(topic: string): Promise<void> {
    if (ensured.has(topic)) return;
    const name = natsStreamName(topic);
    try {
      await jsm.streams.info(name);
    } catch {
      try {
        await jsm.streams.add({ name, subjects: [topic] });
      } catch (err) {
        // Another process may have created it in between.
        await jsm.streams.info(name).catch(() => {
          throw new GapwardenError(
            'STREAM_UNAVAILABLE',
            `cannot create the JetStream stream ${name} for ${topic}: ${(err as Error).message}`,
            { cause: err },
          );
        });
      }
    }
    ensured.add(topic);
  }

  async function openConsumer(o: ConsumerOptions): Promise<StreamConsumer> {
    await ensureTopic(o.topic);
    const stream = natsStreamName(o.topic);
    const durable = durableName(o.group);
    const config = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: o.ackWaitMs * 1_000_000,
      // Bounds what one process holds unacknowledged (and so what it buffers).
      max_ack_pending: Math.max(1_000, o.batchLimit * 20),
    };
    try {
      await jsm.consumers.info(stream, durable);
      await jsm.consumers.update(stream, durable, {
        ack_wait: config.ack_wait,
        max_ack_pending: config.max_ack_pending,
      });
    } catch {
      await jsm.consumers.add(stream, config);
    }
    const consumer = await js.consumers.get(stream, durable);
    const buffer = createMessageBuffer<NatsMessage>();
    // Pulls several fetches ahead: while a backlog drains, each fetch finds a full batch buffered (the
    // runner reads a full fetch as a backlog) and the next messages arrive while a commit is written.
    const messages: ConsumerMessages = await consumer.consume({
      max_messages: Math.min(Math.max(o.batchLimit, 100) * 5, config.max_ack_pending),
    });
    void (async () => {
      try {
        for await (const m of messages) {
          buffer.push({
            topic: o.topic,
            id: String(m.seq),
            body: m.data,
            redelivered: m.redelivered,
            raw: m,
          });
        }
        buffer.end();
      } catch (err) {
        buffer.end(err);
      }
    })();
    let behind = false;
    const handle: StreamConsumer = {
      topic: o.topic,
      async fetch(waitMs, signal) {
        const batch = await buffer.take(o.batchLimit, waitMs, signal);
        // More buffered here, or the server's count of messages after the last one taken.
        behind = buffer.size > 0 || (batch.at(-1)?.raw.info.pending ?? 0) > 0;
        return batch;
      },
      behind: () => behind,
      async ack(batch) {
        for (const m of batch) (m as NatsMessage).raw.ack();
        // Acks are fire-and-forget publishes: a flush makes sure the server has them.
        await nc.flush();
      },
      async lag() {
        const info = await consumer.info();
        return info.num_pending + info.num_ack_pending;
      },
      async close() {
        consumers.delete(handle);
        await messages.close();
      },
    };
    consumers.add(handle);
    return handle;
  }

  return {
    engine: 'nats',
    target,
    ensureTopic,
    async publish(topic, batch) {
      await ensureTopic(topic);
      await Promise.all(
        batch.map((m) => {
          const h = m.dedupeId === undefined ? undefined : headers();
          if (h && m.dedupeId !== undefined) h.set('Nats-Msg-Id', m.dedupeId);
          return js.publish(topic, encodeBody(m.body), h ? { headers: h } : undefined);
        }),
      );
    },
    consumer: openConsumer,
    compareIds: (a, b) => compareNumberedIds(a, b, '.'),
    async close() {
      for (const c of [...consumers]) await c.close().catch(() => undefined);
      await nc.drain().catch(() => nc.close());
    },
  };
}

import { Admin, Consumer, type Message, type MessagesStream, Producer } from '@platformatic/kafka';
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

export interface KafkaStreamClientOptions {
  /** Bootstrap brokers, e.g. `['127.0.0.1:9092']`. */
  readonly brokers: readonly string[];
  /** The client id the brokers see. @default 'gapwarden' */
  readonly clientId?: string;
  /** Partitions of a topic this client creates. @default 1 */
  readonly partitions?: number;
}

interface KafkaMessage extends StreamMessage {
  readonly raw: Message;
}

/** Runs a close that may fail (the broker is gone): closing is best effort. */
async function quietly(fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch {
    // nothing to do: the connection is being discarded
  }
}

function unavailable(target: string, err: unknown): GapwardenError {
  return new GapwardenError(
    'STREAM_UNAVAILABLE',
    `Kafka at ${target} did not answer: ${(err as Error).message}; check streams.clients.<name>.brokers`,
    { cause: err, retryable: true },
  );
}

/**
 * Kafka (@platformatic/kafka): consumer groups with manual offset commits.
 * `ack` commits, per partition, the offset after the newest acknowledged
 * message; a process that dies before committing has its partitions
 * reassigned (after the session timeout) and the messages read again from
 * the last commit.
 */
export async function createKafkaStreamClient(options: KafkaStreamClientOptions): Promise<StreamClient> {
  const target = options.brokers.join(',');
  const clientId = options.clientId ?? 'gapwarden';
  const base = { clientId, bootstrapBrokers: [...options.brokers] };
  const admin = new Admin(base);
  try {
    await admin.metadata({ topics: [] });
  } catch (err) {
    await admin.close().catch(() => undefined);
    throw unavailable(target, err);
  }
  let producer: Producer | undefined;
  const ensured = new Set<string>();
  const consumers = new Set<StreamConsumer>();

  async function ensureTopic(topic: string): Promise<void> {
    if (ensured.has(topic)) return;
    try {
      await admin.createTopics({ topics: [topic], partitions: options.partitions ?? 1, replicas: 1 });
    } catch (err) {
      // An existing topic is what we wanted.
      if (
        !/exist/i.test(
          String((err as Error).message) + JSON.stringify((err as { errors?: unknown }).errors ?? ''),
        )
      ) {
        throw unavailable(target, err);
      }
    }
    ensured.add(topic);
  }

  async function openConsumer(o: ConsumerOptions): Promise<StreamConsumer> {
    await ensureTopic(o.topic);
    const consumer = new Consumer({
      ...base,
      clientId: `${clientId}-${o.consumerName}`,
      groupId: o.group,
      sessionTimeout: Math.max(6_000, o.ackWaitMs),
      heartbeatInterval: 1_000,
    });
    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
    try {
      stream = await consumer.consume({
        topics: [o.topic],
        autocommit: false,
        mode: 'committed',
        fallbackMode: 'earliest',
      });
    } catch (err) {
      await quietly(() => consumer.close(true));
      throw unavailable(target, err);
    }
    const buffer = createMessageBuffer<KafkaMessage>();
    const high = o.batchLimit * 10;
    // Per partition, delivered offsets in order with whether each is acknowledged, and their messages.
    const outstanding = new Map<number, Map<bigint, boolean>>();
    const byOffset = new Map<number, Map<bigint, Message>>();
    stream.on('data', (m: Message) => {
      if (!outstanding.has(m.partition)) {
        outstanding.set(m.partition, new Map());
        byOffset.set(m.partition, new Map());
      }
      outstanding.get(m.partition)?.set(m.offset, false);
      byOffset.get(m.partition)?.set(m.offset, m);
      buffer.push({
        topic: o.topic,
        id: `${m.partition}:${m.offset}`,
        body: m.value,
        redelivered: false,
        raw: m,
      });
      if (buffer.size >= high) stream.pause();
    });
    stream.on('error', (err) => buffer.end(err));
    const handle: StreamConsumer = {
      topic: o.topic,
      // What the broker has sent and this consumer not yet taken (Kafka tells no lag per message).
      behind: () => buffer.size > 0,
      async fetch(waitMs, signal) {
        const batch = await buffer.take(o.batchLimit, waitMs, signal);
        if (stream.isPaused() && buffer.size < high / 2) stream.resume();
        return batch;
      },
      async ack(batch) {
        // A Kafka commit is a position: it may only move past messages that are all acknowledged, so
        // a message the pipeline still holds (an open window) keeps the commit behind it.
        const touched = new Set<number>();
        for (const m of batch) {
          const raw = (m as KafkaMessage).raw;
          outstanding.get(raw.partition)?.set(raw.offset, true);
          touched.add(raw.partition);
        }
        for (const partition of touched) {
          const delivered = outstanding.get(partition);
          if (!delivered) continue;
          let last: bigint | undefined;
          for (const [offset, acked] of delivered) {
            if (!acked) break;
            last = offset;
            delivered.delete(offset);
          }
          const message = last === undefined ? undefined : byOffset.get(partition)?.get(last);
          if (message) await message.commit(); // commits offset + 1: the next one to read
          const kept = byOffset.get(partition);
          if (kept && last !== undefined) for (const o of kept.keys()) if (o <= last) kept.delete(o);
        }
      },
      async lag() {
        const lags = await consumer.getLag({ topics: [o.topic] });
        let total = 0n;
        for (const l of lags.get(o.topic) ?? []) if (l > 0n) total += l;
        return Number(total);
      },
      async close() {
        consumers.delete(handle);
        await stream.close().catch(() => undefined);
        await quietly(() => consumer.close(true));
      },
    };
    consumers.add(handle);
    return handle;
  }

  return {
    engine: 'kafka',
    target,
    ensureTopic,
    async publish(topic, batch) {
      await ensureTopic(topic);
      producer ??= new Producer({ ...base, clientId: `${clientId}-producer` });
      await producer.send({
        messages: batch.map((m) => ({
          topic,
          value: Buffer.from(encodeBody(m.body)),
          ...(m.key === undefined ? {} : { key: Buffer.from(m.key) }),
          ...(m.dedupeId === undefined
            ? {}
            : { headers: new Map([[Buffer.from('id'), Buffer.from(m.dedupeId)]]) }),
        })),
      });
    },
    consumer: openConsumer,
    compareIds: (a, b) => compareNumberedIds(a, b, ':'),
    async close() {
      for (const c of [...consumers]) await c.close().catch(() => undefined);
      if (producer) await quietly(() => producer?.close(true));
      await admin.close().catch(() => undefined);
    },
  };
}

import { createClient } from 'redis';
import { GapwardenError } from '../../../internal/errors.js';
import {
  type ConsumerOptions,
  compareNumberedIds,
  encodeBody,
  type StreamClient,
  type StreamConsumer,
  type StreamMessage,
} from '../stream-client.js';

export interface RedisStreamClientOptions {
  /** e.g. `redis://127.0.0.1:6379`. */
  readonly url: string;
  /** How long connecting may take before `STREAM_UNAVAILABLE`. @default 3000 */
  readonly connectTimeoutMs?: number;
}

/** RESP2: replies are plain arrays, the shape the parsing below reads. */
function makeConnection(url: string, connectTimeout: number) {
  return createClient({
    url,
    RESP: 2,
    socket: { connectTimeout, reconnectStrategy: (n: number) => Math.min(n * 200, 2_000) },
  });
}
type RedisConnection = ReturnType<typeof makeConnection>;
type Reply = unknown;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** `[id, [field, value, ...]]` entries as messages; entries deleted meanwhile come back as null and are skipped. */
function toMessages(topic: string, entries: Reply, redelivered: boolean): StreamMessage[] {
  const out: StreamMessage[] = [];
  for (const entry of (entries as ([string, string[]] | null)[] | null) ?? []) {
    if (!entry?.[1]) continue;
    const [id, fields] = entry;
    let data = '';
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === 'data') data = fields[i + 1] ?? '';
    out.push({ topic, id, body: encoder.encode(data), redelivered });
  }
  return out;
}

function isBusyGroup(err: unknown): boolean {
  return err instanceof Error && err.message.includes('BUSYGROUP');
}

/**
 * Redis Streams: one stream key per topic, consumer groups read with
 * `XREADGROUP`, acknowledged with `XACK`. Entries left pending by a
 * consumer that died are taken over with `XAUTOCLAIM` once idle for
 * `ackWaitMs`; a restarted consumer first re-reads its own pending entries.
 */
export async function createRedisStreamClient(options: RedisStreamClientOptions): Promise<StreamClient> {
  const target = options.url.replace(/\/\/[^@/]*@/, '//');
  const open = async (): Promise<RedisConnection> => {
    const c = makeConnection(options.url, options.connectTimeoutMs ?? 3_000);
    c.on('error', () => undefined); // reconnects on its own; commands fail meanwhile and are retried by the runner
    try {
      await c.connect();
    } catch (err) {
      throw new GapwardenError(
        'STREAM_UNAVAILABLE',
        `cannot connect to Redis at ${target}: ${(err as Error).message}; start redis-server or fix streams.clients.<name>.url`,
        { cause: err, retryable: true },
      );
    }
    return c;
  };
  const main = await open();
  const connections = new Set<RedisConnection>([main]);
  const consumers = new Set<StreamConsumer>();
  const send = (c: RedisConnection, args: string[]) => c.sendCommand(args) as Promise<Reply>;

  async function openConsumer(o: ConsumerOptions): Promise<StreamConsumer> {
    try {
      await send(main, ['XGROUP', 'CREATE', o.topic, o.group, '0', 'MKSTREAM']);
    } catch (err) {
      if (!isBusyGroup(err)) throw err;
    }
    // Blocking reads hold their connection: each consumer reads on its own one.
    const reader = await open();
    connections.add(reader);
    // Where the read of this name's own pending list has got to ('0': its start); null once it is read.
    let ownPendingFrom: string | null = '0';
    let claimCursor = '0-0';
    let lastClaimAt = 0;
    const count = String(o.batchLimit);
    // A full reply: the stream likely holds more for this consumer.
    let behind = false;
    // The read sent ahead after a full reply, taken by the next fetch (its entries are this consumer's
    // pending ones from the moment Redis answers, like any fetched and not yet acknowledged).
    let readAhead: Promise<Reply> | undefined;
    const readNew = (waitMs: number): Promise<Reply> => {
      const read = send(reader, [
        'XREADGROUP',
        'GROUP',
        o.group,
        o.consumerName,
        'COUNT',
        count,
        'BLOCK',
        String(Math.max(1, Math.round(waitMs))),
        'STREAMS',
        o.topic,
        '>',
      ]);
      read.catch(() => undefined); // a read ahead nobody takes (closed) fails quietly; a taken one rethrows
      return read;
    };

    async function claimIdle(): Promise<StreamMessage[]> {
      const reply = (await send(main, [
        'XAUTOCLAIM',
        o.topic,
        o.group,
        o.consumerName,
        String(o.ackWaitMs),
        claimCursor,
        'COUNT',
        count,
      ])) as [string, Reply, Reply];
      claimCursor = reply[0];
      return toMessages(o.topic, reply[1], true);
    }

    const handle: StreamConsumer = {
      topic: o.topic,
      async fetch(waitMs, signal) {
        signal?.throwIfAborted();
        if (ownPendingFrom !== null) {
          // What this consumer name had delivered before a restart and never acknowledged, page by page:
          // reading from '0' again would return the same first page for as long as it stays unacknowledged.
          const reply = await send(reader, [
            'XREADGROUP',
            'GROUP',
            o.group,
            o.consumerName,
            'COUNT',
            count,
            'STREAMS',
            o.topic,
            ownPendingFrom,
          ]);
          const page = (reply as [string, Reply][] | null)?.[0]?.[1] ?? null;
          const own = toMessages(o.topic, page, true);
          const last = (page as ([string, unknown] | null)[] | null)?.at(-1)?.[0];
          if (last !== undefined) {
            ownPendingFrom = last;
            behind = true;
            if (own.length > 0) return own;
          } else ownPendingFrom = null;
        }
        const now = Date.now();
        if (now - lastClaimAt >= Math.min(o.ackWaitMs / 2, 5_000) || claimCursor !== '0-0') {
          lastClaimAt = now;
          const claimed = await claimIdle();
          behind = claimCursor !== '0-0';
          if (claimed.length > 0) return claimed;
        }
        const read = readAhead ?? readNew(waitMs);
        readAhead = undefined;
        const reply = await read;
        signal?.throwIfAborted();
        const fresh = toMessages(o.topic, (reply as [string, Reply][] | null)?.[0]?.[1] ?? null, false);
        behind = fresh.length >= o.batchLimit;
        // A backlog: the next read goes out now, and its reply comes while the runner handles this one.
        if (behind) readAhead = readNew(waitMs);
        return fresh;
      },
      behind: () => behind,
      async ack(batch) {
        if (batch.length === 0) return;
        await send(main, ['XACK', o.topic, o.group, ...batch.map((m) => m.id)]);
      },
      async lag() {
        const groups = (await send(main, ['XINFO', 'GROUPS', o.topic])) as string[][];
        for (const g of groups) {
          const info = new Map<string, unknown>();
          for (let i = 0; i < g.length; i += 2) info.set(String(g[i]), g[i + 1]);
          if (info.get('name') !== o.group) continue;
          const lag = info.get('lag');
          const pending = Number(info.get('pending') ?? 0);
          return lag === null || lag === undefined ? undefined : Number(lag) + pending;
        }
        return undefined;
      },
      async close() {
        consumers.delete(handle);
        connections.delete(reader);
        reader.destroy();
      },
    };
    consumers.add(handle);
    return handle;
  }

  return {
    engine: 'redis',
    target,
    async ensureTopic() {
      // A stream key comes into being with its first entry or group (MKSTREAM).
    },
    async publish(topic, batch) {
      await Promise.all(
        batch.map((m) => {
          const fields = ['data', decoder.decode(encodeBody(m.body))];
          if (m.dedupeId !== undefined) fields.push('id', m.dedupeId);
          return send(main, ['XADD', topic, '*', ...fields]);
        }),
      );
    },
    consumer: openConsumer,
    compareIds: (a, b) => compareNumberedIds(a, b, '-'),
    async close() {
      for (const c of [...consumers]) await c.close().catch(() => undefined);
      for (const c of connections) {
        if (c === main) await c.quit().catch(() => c.destroy());
        else c.destroy();
      }
      connections.clear();
    },
  };
}

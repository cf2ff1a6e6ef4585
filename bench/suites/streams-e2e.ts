// End to end on real servers: a backlog of pre-published messages consumed by the streams module as
// `serve` runs it (createEngine + a `streams:` config: keyBy, window of 5 with a linear fill, one module,
// the gapwarden dataset sink, commits and acks), side by side with a consumer written directly against
// the same driver (XREADGROUP/XACK; a JetStream pull consumer), on NATS JetStream and on Redis Streams.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import Database from 'better-sqlite3';
import { createClient } from 'redis';
import { compileConfig } from '../../src/config/compile-config.js';
import type { StreamClientSpec } from '../../src/config/compiled-streams.js';
import type { StreamModuleContext } from '../../src/config/stream-functions.js';
import { createEngine } from '../../src/engine/engine.js';
import { silentLogger } from '../../src/internal/logger.js';
import { createStreamClient } from '../../src/streams/clients/create-stream-client.js';
import { natsStreamName } from '../../src/streams/clients/nats/nats-stream-client.js';
import type { StreamClient } from '../../src/streams/clients/stream-client.js';
import { streamsModule } from '../../src/streams/streams-module.js';
import { type Figure, median, type SuiteResult, suite } from '../lib/report.js';

const N = Number(process.env.GAPWARDEN_BENCH_STREAMS_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.GAPWARDEN_BENCH_STREAMS_ROUNDS ?? 3);
const NATS_URL = process.env.GAPWARDEN_BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS_URL = process.env.GAPWARDEN_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const STATIONS = 100;
const WINDOW = 5;
const DROP_EVERY = 10; // every 10th sample of a station is missing: the linear fill has holes to fill
const CADENCE = 60_000;
/** Messages per fetch on both sides (the pipeline's default batchLimit). */
const FETCH = 200;
/** Acks per batch on the raw side: the pipeline's default commit cadence (commit.messages). */
const ACK_EVERY = 100;
const TIMEOUT_MS = 120_000;
const TARGET = 0.6;
// Message time well in the past, on a minute: the dataset's calendar starts a day before it.
const T0 = Math.floor((Date.now() - 3 * 86_400_000) / CADENCE) * CADENCE;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Station-major time order, as a broker delivers one topic: every station's sample for t, then t+1… */
function bodies(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let s = 0; out.length < N; s++) {
    for (let k = 0; k < STATIONS && out.length < N; k++) {
      if ((s + k) % DROP_EVERY === 0) continue;
      out.push({ stationId: `S${k}`, time: T0 + s * CADENCE, power: 100 + ((s * 7 + k) % 50), voltage: 400 });
    }
  }
  return out;
}

/**
 * The backlog, untimed. Redis: XADDs through the streams client (pipelined). NATS: plain publishes on the
 * stream's subject, flushed, then waiting until the stream holds them all (a JetStream publish awaits each
 * ack, about 10 times slower here, which would make the run too long).
 */
async function publishBacklog(pub: StreamClient, topic: string, msgs: Record<string, unknown>[]) {
  if (pub.engine !== 'nats') {
    for (let i = 0; i < msgs.length; i += 5_000)
      await pub.publish(
        topic,
        msgs.slice(i, i + 5_000).map((body) => ({ body })),
      );
    return;
  }
  await pub.ensureTopic(topic);
  const nc = await connect({ servers: NATS_URL });
  try {
    const encoder = new TextEncoder();
    for (let i = 0; i < msgs.length; i++) {
      nc.publish(topic, encoder.encode(JSON.stringify(msgs[i])));
      if (i % 1_000 === 999) await nc.flush();
    }
    await nc.flush();
    const jsm = await jetstreamManager(nc);
    const end = Date.now() + 30_000;
    for (;;) {
      const held = (await jsm.streams.info(natsStreamName(topic))).state.messages;
      if (held === msgs.length) return;
      if (held > msgs.length || Date.now() > end)
        throw new Error(
          `the JetStream stream of ${topic} holds ${held} of ${msgs.length} published messages`,
        );
      await sleep(20);
    }
  } finally {
    await nc.close();
  }
}

/** The one module: mean power over the window (real and filled values). */
const loadModule = (ctx: StreamModuleContext) => {
  const power = ctx.window.topics[Object.keys(ctx.window.topics)[0] ?? '']?.values.power ?? [];
  let sum = 0;
  let n = 0;
  for (const v of power)
    if (typeof v === 'number') {
      sum += v;
      n++;
    }
  return n === 0 ? null : { mean: sum / n };
};

interface SideResult {
  ms: number;
  /** Messages acknowledged when the clock stopped. */
  acked: number;
}

interface GapwardenResult extends SideResult {
  /** Held by the open windows when the clock stopped (acknowledged once the keys went idle). */
  held: number;
  startMs: number;
  commits: number;
  records: number;
}

/**
 * The streams module as `serve` runs it: timed from engine.start() (connects, opens the consumer, starts
 * the fetch loop) until every message is received and every one the pipeline has settled is acknowledged
 * (what remains unacked is only the open windows' last samples). Then, untimed, the keys go idle and the
 * remaining messages must be acknowledged too.
 */
async function runGapwarden(spec: StreamClientSpec, topic: string): Promise<GapwardenResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-streams-'));
  const client =
    spec.engine === 'nats'
      ? { nats: { servers: [...spec.servers] } }
      : spec.engine === 'redis'
        ? { redis: { url: spec.url } }
        : { kafka: { brokers: [...spec.brokers] } };
  const config = compileConfig(
    {
      store: { sqlite: join(dir, 'store.db') },
      server: { port: 0 },
      datasets: {
        'station-load': {
          partition: {
            calendar: {
              every: '1m',
              timezone: 'UTC',
              start: new Date(T0 - 86_400_000).toISOString().slice(0, 16),
            },
          },
        },
      },
      streams: {
        clients: { bench: client },
        pipelines: {
          stations: {
            client: 'bench',
            topics: [topic],
            keyBy: 'stationId',
            cadence: '1m',
            window: { samples: WINDOW, quietClose: '1s' },
            fills: { power: 'linear' },
            // Keys idle for 2 s are dropped and their last messages acknowledged (the untimed check).
            idleExpiry: '2s',
            modules: { load: { run: loadModule } },
            // The default cadence (100 messages), and an interval short enough that the last partial
            // commit does not wait the default 5 s.
            commit: { messages: 100, interval: '250ms' },
            sinks: [{ type: 'dataset', dataset: 'station-load', module: 'load' }],
          },
        },
      },
    },
    { env: {} },
  );
  const engine = createEngine({ config, logger: silentLogger });
  try {
    const t0 = performance.now();
    await engine.start({ collect: true, backfill: false });
    const startMs = performance.now() - t0;
    const streams = engine.module(streamsModule);
    const status = () => streams.live()[0]?.topics[0];
    const end = Date.now() + TIMEOUT_MS;
    for (;;) {
      const t = status();
      if (t && t.received >= N && t.acked + t.unacked === N && t.unacked <= STATIONS * WINDOW) break;
      if (Date.now() > end) throw new Error(`gapwarden on ${spec.engine} timed out: ${JSON.stringify(t)}`);
      await sleep(2);
    }
    const ms = performance.now() - t0;
    const at = status()!;
    const commits = streams.live()[0]?.commits ?? 0;
    // Untimed: the keys go idle (2 s), their windows close and the last messages are acknowledged.
    const end2 = Date.now() + 20_000;
    while ((status()?.acked ?? 0) < N) {
      if (Date.now() > end2)
        throw new Error(
          `gapwarden on ${spec.engine} left messages unacknowledged: ${JSON.stringify(status())}`,
        );
      await sleep(50);
    }
    await engine.stop();
    const db = new Database(join(dir, 'store.db'), { readonly: true });
    let records = 0;
    try {
      records = (
        db
          .prepare(
            "SELECT COUNT(*) AS n FROM records r JOIN datasets d ON d.id = r.dataset_id WHERE d.name = 'station-load'",
          )
          .get() as { n: number }
      ).n;
    } finally {
      db.close();
    }
    if (records === 0) throw new Error(`gapwarden on ${spec.engine} stored no results`);
    return { ms, acked: at.acked, held: at.unacked, startMs, commits, records };
  } finally {
    await engine.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Redis by hand: XREADGROUP COUNT 200 BLOCK, JSON.parse of each body, XACK every 100 messages. */
async function runRawRedis(url: string, topic: string): Promise<SideResult> {
  const t0 = performance.now();
  const c = createClient({ url, RESP: 2 });
  await c.connect();
  try {
    try {
      await c.sendCommand(['XGROUP', 'CREATE', topic, 'raw', '0', 'MKSTREAM']);
    } catch (err) {
      if (!(err as Error).message.includes('BUSYGROUP')) throw err;
    }
    let received = 0;
    let acked = 0;
    let check = 0;
    let ids: string[] = [];
    const end = Date.now() + TIMEOUT_MS;
    while (acked < N) {
      if (Date.now() > end) throw new Error(`raw redis timed out at ${acked} acked`);
      const reply = (await c.sendCommand([
        'XREADGROUP',
        'GROUP',
        'raw',
        'raw-1',
        'COUNT',
        String(FETCH),
        'BLOCK',
        '200',
        'STREAMS',
        topic,
        '>',
      ])) as [string, [string, string[]][]][] | null;
      for (const [id, fields] of reply?.[0]?.[1] ?? []) {
        let data = '';
        for (let i = 0; i < fields.length; i += 2) if (fields[i] === 'data') data = fields[i + 1] ?? '';
        check += (JSON.parse(data) as { power: number }).power;
        ids.push(id);
        received++;
        if (ids.length >= ACK_EVERY || received === N) {
          await c.sendCommand(['XACK', topic, 'raw', ...ids]);
          acked += ids.length;
          ids = [];
        }
      }
    }
    if (check === 0) throw new Error('raw redis parsed nothing');
    return { ms: performance.now() - t0, acked };
  } finally {
    await c.quit().catch(() => c.destroy());
  }
}

/**
 * JetStream by hand: a durable pull consumer (explicit acks, the same max_ack_pending as the pipeline's
 * client) consumed with consume({ max_messages: 200 }), JSON.parse of each body, every 100 messages their
 * acks sent and flushed.
 */
async function runRawNats(servers: string, topic: string): Promise<SideResult> {
  const t0 = performance.now();
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = natsStreamName(topic);
    await jsm.consumers.add(stream, {
      durable_name: 'raw',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 30_000 * 1_000_000,
      max_ack_pending: Math.max(1_000, FETCH * 20),
    });
    const consumer = await jetstream(nc).consumers.get(stream, 'raw');
    const messages = await consumer.consume({ max_messages: FETCH });
    const decoder = new TextDecoder();
    let received = 0;
    let acked = 0;
    let check = 0;
    let batch = 0;
    const timer = setTimeout(() => void messages.close(), TIMEOUT_MS);
    try {
      for await (const m of messages) {
        check += (JSON.parse(decoder.decode(m.data)) as { power: number }).power;
        m.ack();
        received++;
        if (++batch >= ACK_EVERY || received === N) {
          await nc.flush();
          acked += batch;
          batch = 0;
          if (acked >= N) break;
        }
      }
    } finally {
      clearTimeout(timer);
      await messages.close();
    }
    if (acked < N) throw new Error(`raw nats timed out at ${acked} acked`);
    if (check === 0) throw new Error('raw nats parsed nothing');
    return { ms: performance.now() - t0, acked };
  } finally {
    await nc.close();
  }
}

interface Transport {
  name: 'NATS JetStream' | 'Redis Streams';
  spec: StreamClientSpec;
  raw: (topic: string) => Promise<SideResult>;
  cleanup: (topics: string[]) => Promise<void>;
}

const transports: Transport[] = [
  {
    name: 'NATS JetStream',
    spec: { engine: 'nats', servers: [NATS_URL] },
    raw: (topic) => runRawNats(NATS_URL, topic),
    cleanup: async (topics) => {
      const nc = await connect({ servers: NATS_URL });
      try {
        const jsm = await jetstreamManager(nc);
        for (const t of topics) await jsm.streams.delete(natsStreamName(t)).catch(() => undefined);
      } finally {
        await nc.close();
      }
    },
  },
  {
    name: 'Redis Streams',
    spec: { engine: 'redis', url: REDIS_URL },
    raw: (topic) => runRawRedis(REDIS_URL, topic),
    cleanup: async (topics) => {
      const c = createClient({ url: REDIS_URL });
      await c.connect();
      try {
        await c.del(topics);
      } finally {
        await c.quit();
      }
    },
  },
];

export async function runStreamsE2eBench(): Promise<SuiteResult> {
  const msgs = bodies();
  const rate = (ms: number) => N / (ms / 1000);
  const figures: Figure[] = [];
  const roundNotes: string[] = [];
  const run = `${Date.now().toString(36)}`;
  for (const tr of transports) {
    const gw: number[] = [];
    const raw: number[] = [];
    const detail: string[] = [];
    const pub = await createStreamClient(tr.spec);
    try {
      for (let r = 0; r < ROUNDS; r++) {
        // A fresh topic per side and round, the same backlog published to both before either consumes.
        const gwTopic = `bench.e2e.${run}.${tr.spec.engine}.${r}.gw`;
        const rawTopic = `bench.e2e.${run}.${tr.spec.engine}.${r}.raw`;
        try {
          const p0 = performance.now();
          await publishBacklog(pub, gwTopic, msgs);
          await publishBacklog(pub, rawTopic, msgs);
          const publishMs = performance.now() - p0;
          // Alternate which side goes first, so neither always gets the warmer (or the quieter) turn.
          const rawFirst = r % 2 === 1;
          const b0 = rawFirst ? await tr.raw(rawTopic) : undefined;
          const a = await runGapwarden(tr.spec, gwTopic);
          const b = b0 ?? (await tr.raw(rawTopic));
          gw.push(rate(a.ms));
          raw.push(rate(b.ms));
          detail.push(
            `${Math.round(rate(a.ms))} vs ${Math.round(rate(b.ms))}${rawFirst ? ' (raw first)' : ''}; start ${Math.round(a.startMs)} ms, ${a.commits} commits, ${a.held} held, ${a.records} records; untimed: publishing both backlogs ${Math.round(publishMs)} ms`,
          );
        } finally {
          await tr.cleanup([gwTopic, rawTopic]).catch(() => undefined);
        }
      }
    } finally {
      await pub.close();
    }
    const value = median(gw);
    const base = median(raw);
    figures.push({
      name: `${tr.name}: gapwarden pipeline (serve) consuming a ${N.toLocaleString('en-US')}-message backlog, keyBy ${STATIONS} stations, window of ${WINDOW} + linear fill, 1 module, dataset sink`,
      value,
      unit: 'messages/s',
      baseline: {
        name: `raw ${tr.spec.engine === 'nats' ? '@nats-io/jetstream pull consumer' : 'redis XREADGROUP/XACK consumer'}, JSON.parse + batched acks`,
        value: base,
      },
      ratio: value / base,
      target: '≥ 60% of raw',
      met: value / base >= TARGET,
    });
    roundNotes.push(`rounds on ${tr.name}, messages/s gapwarden vs raw: ${detail.join(' | ')}`);
  }
  return suite('streams-e2e', figures, [
    `${N.toLocaleString('en-US')} messages per side and round (${STATIONS} stations, one sample per minute each, every ${DROP_EVERY}th missing), pre-published to a fresh topic per side and round before either side consumes; medians of ${ROUNDS} rounds, gapwarden and raw alternating which goes first; one process, sides run one after the other`,
    `gapwarden: createEngine with a streams: config (SQLite store) and engine.start({ collect: true }) as serve does; timed from engine.start() (store open, client connect, consumer group/durable, fetch loop) until every message is received and every settled message is acknowledged; per message: body decode (bytes → text → JSON.parse, time field), keyBy, window of ${WINDOW} one-minute slots, linear fill of power, the module (mean power) on each closed window; per commit (every 100 messages or 250 ms): the results ingested into a gapwarden dataset (one record per window, through core.ingest into SQLite), the checkpoint row saved, then the settled messages acknowledged (Redis: one XACK; NATS: one ack per message and a flush); fetches of up to ${FETCH}`,
    `not timed on the gapwarden side: the last ≤ ${WINDOW} samples of each station stay unacknowledged while their windows are open; after the clock stops, the keys go idle (2 s) and those are acknowledged too (checked every round, with the stored record count)`,
    `raw: the same driver, no gapwarden code; timed from connect until all ${N.toLocaleString('en-US')} are acknowledged; per message JSON.parse of the body (and reading one field); acks every ${ACK_EVERY} messages (Redis: XREADGROUP COUNT ${FETCH} BLOCK 200 and XACK of the ids; NATS: a durable explicit-ack pull consumer, consume({ max_messages: ${FETCH} }), m.ack() each and nc.flush() every ${ACK_EVERY}); no keying, windows, module, store writes or checkpoints`,
    ...roundNotes,
    'sizes: GAPWARDEN_BENCH_STREAMS_MESSAGES (50000), GAPWARDEN_BENCH_STREAMS_ROUNDS (3); servers: GAPWARDEN_BENCH_NATS_URL, GAPWARDEN_BENCH_REDIS_URL',
  ]);
}

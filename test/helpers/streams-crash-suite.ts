// A pipeline run by the real CLI (`gapwarden streams run`) is killed with SIGKILL while it consumes,
// restarted at once, and must end with every message's effect stored exactly once: on Redis Streams
// and NATS JetStream. At-least-once delivery plus idempotent storage means no loss and no duplicate
// row; the checkpoint ends past the newest message; and what the dead process held unacknowledged is
// taken over by the new one within a bounded time (Redis: XAUTOCLAIM once idle for ackWait; NATS:
// redelivery after ackWait).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import Database from 'better-sqlite3';
import { createClient } from 'redis';
import { createStreamClient } from '../../src/streams/clients/create-stream-client.js';
import { natsStreamName } from '../../src/streams/clients/nats/nats-stream-client.js';
import type { StreamClient } from '../../src/streams/clients/stream-client.js';
import { exited, spawnCli } from './cli.js';
import { REDIS_SERVER, type StreamServer, uniqueTopic } from './stream-servers.js';
import { tempDir } from './temp-dir.js';

const MIN = 60_000;
const KEYS = 10;
const TOTAL = 3_000;
const ACK_WAIT_MS = 10_000;
// Six hours back: 300 one-minute slots per key, all in the past.
const T0 = Math.floor((Date.now() - 6 * 3_600_000) / MIN) * MIN;

/** Message n: key K(n mod 10), one slot per round of keys, carrying n. */
const message = (n: number) => ({ k: `K${n % KEYS}`, time: T0 + Math.floor(n / KEYS) * MIN, n });

function clientConfig(server: StreamServer): string {
  const s = server.spec;
  if (s.engine === 'nats') return `{ nats: { servers: ${JSON.stringify(s.servers)} } }`;
  if (s.engine === 'redis') return `{ redis: { url: ${JSON.stringify(s.url)} } }`;
  return `{ kafka: { brokers: ${JSON.stringify(s.brokers)} } }`;
}

/**
 * One keyed topic, windows of one slot (so each message is exactly one window and one result),
 * the module `value` returning the message's n, written to the `effects` dataset.
 */
function writeConfig(dir: string, server: StreamServer, topic: string): string {
  const file = join(dir, 'gapwarden.config.ts');
  writeFileSync(
    file,
    `export default {
  store: { sqlite: 'store.db' },
  log: { level: 'info' },
  datasets: {
    effects: { partition: { calendar: { every: '1m', timezone: 'UTC', start: '${new Date(T0 - 3_600_000).toISOString().slice(0, 16)}' } } },
  },
  streams: {
    clients: { local: ${clientConfig(server)} },
    pipelines: {
      crash: {
        client: 'local',
        topics: [${JSON.stringify(topic)}],
        keyBy: 'k',
        cadence: '1m',
        window: { samples: 1, quietClose: '1s' },
        idleExpiry: '3s',
        modules: { value: { run: ({ window }) => window.topics[${JSON.stringify(topic)}].samples[0]?.n ?? null } },
        commit: { messages: 100, interval: '500ms' },
        ackWait: '${ACK_WAIT_MS}ms',
        sinks: [{ type: 'dataset', dataset: 'effects', module: 'value' }],
      },
    },
  },
};
`,
  );
  return file;
}

interface StoreView {
  effects: Map<string, { n: number; version: number }>;
  acked: number;
  lastId: string | null;
}

/** What the CLI's store holds (read while the CLI writes it: SQLite in WAL mode). */
function readStore(path: string): StoreView {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const effects = new Map<string, { n: number; version: number }>();
    const hasTables = db
      .prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('records', 'stream_checkpoints')")
      .get() as { n: number };
    if (hasTables.n < 2) return { effects, acked: 0, lastId: null };
    const rows = db.prepare('SELECT key, payload, version FROM records').all() as {
      key: string;
      payload: string;
      version: number;
    }[];
    for (const r of rows) {
      const value = (JSON.parse(r.payload) as { value: number }).value;
      effects.set(r.key, { n: value, version: r.version });
    }
    const cp = db.prepare("SELECT acked, last_id FROM stream_checkpoints WHERE pipeline = 'crash'").get() as
      | { acked: number; last_id: string | null }
      | undefined;
    return { effects, acked: cp?.acked ?? 0, lastId: cp?.last_id ?? null };
  } catch (err) {
    if (String(err).includes('SQLITE_CANTOPEN') || String(err).includes('unable to open')) {
      return { effects: new Map(), acked: 0, lastId: null };
    }
    throw err;
  } finally {
    db.close();
  }
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const outputKey = (n: number) => {
  const m = message(n);
  return `crash/value/${m.k}/${m.time}`;
};

/** Redis: entries of the group still pending with `consumer`. */
async function redisPending(topic: string, consumer: string): Promise<number> {
  const spec = REDIS_SERVER.spec;
  if (spec.engine !== 'redis') return 0;
  const c = createClient({ url: spec.url, RESP: 2 });
  await c.connect();
  try {
    const reply = (await c.sendCommand(['XPENDING', topic, 'gapwarden-crash'])) as [
      number,
      string | null,
      string | null,
      [string, string][] | null,
    ];
    const mine = (reply[3] ?? []).find(([name]) => name === consumer);
    return mine ? Number(mine[1]) : 0;
  } finally {
    await c.quit();
  }
}

/** The engine id of the newest message of `topic`: what the checkpoint must reach. */
async function newestId(server: StreamServer, topic: string): Promise<string> {
  const s = server.spec;
  if (s.engine === 'redis') {
    const c = createClient({ url: s.url, RESP: 2 });
    await c.connect();
    try {
      const reply = (await c.sendCommand(['XREVRANGE', topic, '+', '-', 'COUNT', '1'])) as [string][];
      return String(reply[0]?.[0]);
    } finally {
      await c.quit();
    }
  }
  if (s.engine === 'nats') {
    const nc = await connect({ servers: [...s.servers] });
    try {
      const info = await (await jetstreamManager(nc)).streams.info(natsStreamName(topic));
      return String(info.state.last_seq);
    } finally {
      await nc.close();
    }
  }
  throw new Error(`no newest id for ${s.engine}`);
}

/** The crash suite on one server; one test file per server keeps each file well inside the runner's timeout. */
export function streamsCrashSuite(server: StreamServer): void {
  describe(`streams crash on ${server.name}`, { skip: server.skip, timeout: 240_000 }, () => {
    let tmp: ReturnType<typeof tempDir>;
    let publisher: StreamClient;
    const children: ReturnType<typeof spawnCli>[] = [];
    before(async () => {
      tmp = tempDir();
      publisher = await createStreamClient(server.spec);
    });
    after(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await Promise.all(children.map(exited));
      await publisher.close();
      tmp.cleanup();
    });

    it('kill -9 mid-way and an immediate restart: every effect stored once, pending taken over', async () => {
      const topic = uniqueTopic('gw.crash');
      await publisher.ensureTopic(topic);
      const config = writeConfig(tmp.dir, server, topic);
      const db = join(tmp.dir, 'store.db');
      const start = (name: string) => {
        const child = spawnCli(['streams', 'run', '--config', config], {
          GAPWARDEN_STREAM_CONSUMER: name,
          // The test runner silences child logs; this suite waits for the start line.
          GAPWARDEN_LOG_LEVEL: 'info',
        });
        children.push(child);
        return child;
      };
      const publish = async (from: number, to: number, pauseMs: number) => {
        for (let i = from; i < to; i += 50) {
          const chunk = [];
          for (let n = i; n < Math.min(to, i + 50); n++) chunk.push({ body: message(n) });
          await publisher.publish(topic, chunk);
          await new Promise((r) => setTimeout(r, pauseMs));
        }
      };

      const first = start('crash-first');
      await until(
        'the first process to start',
        () => first.output().includes('stream pipeline started'),
        60_000,
      ).catch((err) => {
        throw new Error(`${err.message}\n${first.output()}`);
      });
      // Publish half while it consumes; kill it once it has committed some and still holds some.
      const half = TOTAL / 2;
      const publishing = publish(0, half, 20);
      await until('the first commits', () => readStore(db).acked >= 300, 60_000).catch((err) => {
        throw new Error(`${err.message}\n${first.output()}`);
      });
      first.kill('SIGKILL');
      const killed = await exited(first);
      assert.equal(killed.signal, 'SIGKILL');
      const killedAt = Date.now();
      const atKill = readStore(db);
      const heldAtKill = server.name === 'redis' ? await redisPending(topic, 'crash-first') : undefined;
      assert.ok(
        atKill.effects.size < half,
        `the kill came before the first half was stored (${atKill.effects.size})`,
      );

      // Restart at once (another consumer name, as a new pid would be) and publish the rest meanwhile.
      const second = start('crash-second');
      await publishing;
      // Slowly enough that the keys are still alive when the dead consumer's messages come back.
      await publish(half, TOTAL, (ACK_WAIT_MS * 2) / ((TOTAL - half) / 50));

      // Every message of the first half, including what the dead process held, is stored.
      const firstHalfStored = () => {
        const s = readStore(db);
        for (let n = 0; n < half; n++) if (!s.effects.has(outputKey(n))) return false;
        return true;
      };
      await until('the first half to be stored after the restart', firstHalfStored, 90_000).catch((err) => {
        const s = readStore(db);
        const lost = [];
        for (let n = 0; n < half; n++) if (!s.effects.has(outputKey(n))) lost.push(n);
        throw new Error(
          `${err.message}: ${lost.length} lost (${lost.slice(0, 20).join(', ')})\n${second.output()}`,
        );
      });
      const takeoverMs = Date.now() - killedAt;
      if (server.name === 'redis') {
        assert.ok((heldAtKill ?? 0) > 0, 'the dead consumer held unacknowledged entries');
        const deadline = Date.now() + 60_000;
        while ((await redisPending(topic, 'crash-first')) > 0) {
          assert.ok(
            Date.now() < deadline,
            'the dead consumer still holds entries a minute after the restart',
          );
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      // A user-visible bound: the ack wait plus what a loaded machine needs to start and drain.
      assert.ok(takeoverMs < ACK_WAIT_MS + 60_000, `takeover took ${takeoverMs} ms`);
      process.stdout.write(
        `# ${server.name}: ${atKill.effects.size} of ${half} stored at the kill${
          heldAtKill === undefined ? '' : `, ${heldAtKill} pending with the dead consumer`
        }; first half complete ${takeoverMs} ms after the kill\n`,
      );

      // Everything drains: one row per message, holding that message's n.
      await until('every message to be stored', () => readStore(db).effects.size >= TOTAL, 90_000).catch(
        (err) => {
          throw new Error(`${err.message}: ${readStore(db).effects.size} stored\n${second.output()}`);
        },
      );
      const final = readStore(db);
      assert.equal(final.effects.size, TOTAL, 'one row per message: no duplicate, no stray row');
      for (let n = 0; n < TOTAL; n++) {
        const e = final.effects.get(outputKey(n));
        assert.equal(e?.n, n, `message ${n} stored with its own value`);
      }
      // The checkpoint moves past everything once the last windows close (quiet keys) and commit.
      const newest = await newestId(server, topic);
      await until(
        'the checkpoint to count every message',
        () => {
          const s = readStore(db);
          return s.acked >= TOTAL && s.lastId === newest;
        },
        60_000,
      ).catch((err) => {
        throw new Error(`${err.message}: ${JSON.stringify({ ...readStore(db), effects: undefined })}`);
      });

      second.kill('SIGTERM');
      const stopped = await exited(second);
      assert.equal(stopped.code, 0, second.output());
    });
  });
}

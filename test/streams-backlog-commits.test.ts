// Commit cadence on real servers: while a backlog drains, a pipeline commits every
// `commit.backlogMessages` (fewer, larger commits), and the backlog's last messages are committed as
// soon as a fetch comes back short, without waiting for `commit.interval`; once caught up,
// `commit.messages` applies again.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import type { StreamModuleContext } from '../src/config/stream-functions.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createStreamClient } from '../src/streams/clients/create-stream-client.js';
import type { StreamClient } from '../src/streams/clients/stream-client.js';
import { streamsModule } from '../src/streams/streams-module.js';
import { STREAM_SERVERS, type StreamServer, uniqueTopic } from './helpers/stream-servers.js';
import { tempDir } from './helpers/temp-dir.js';

const MIN = 60_000;
const T0 = Math.floor((Date.now() - 3 * 86_400_000) / MIN) * MIN;
const KEYS = 10;
const BACKLOG = 3_000;

async function until<T>(
  what: string,
  fn: () => T | undefined | false,
  state: () => unknown,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Messages `from`..`to - 1`, keys in turn, one slot a minute per key. */
const messages = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => {
    const n = from + i;
    return { body: { k: `K${n % KEYS}`, time: T0 + Math.floor(n / KEYS) * MIN, n } };
  });

function clientOf(server: StreamServer) {
  const s = server.spec;
  if (s.engine === 'nats') return { nats: { servers: [...s.servers] } };
  if (s.engine === 'redis') return { redis: { url: s.url } };
  return { kafka: { brokers: [...s.brokers] } };
}

for (const server of STREAM_SERVERS) {
  describe(`stream commits on ${server.name}`, { skip: server.skip }, () => {
    let tmp: ReturnType<typeof tempDir>;
    let engine: Engine | undefined;
    let publisher: StreamClient;
    beforeEach(async () => {
      tmp = tempDir();
      publisher = await createStreamClient(server.spec);
    });
    afterEach(async () => {
      await engine?.stop();
      await publisher.close();
      engine = undefined;
      tmp.cleanup();
    });

    it('a draining backlog commits by commit.backlogMessages and at once when drained; caught up, by commit.messages', async () => {
      const topic = uniqueTopic('gw.backlog');
      await publisher.ensureTopic(topic);
      for (let i = 0; i < BACKLOG; i += 500) await publisher.publish(topic, messages(i, i + 500));
      const config = compileConfig(
        {
          store: { sqlite: join(tmp.dir, 'store.db') },
          server: { port: 0 },
          datasets: {},
          streams: {
            clients: { local: clientOf(server) },
            pipelines: {
              cadence: {
                client: 'local',
                topics: [topic],
                keyBy: 'k',
                cadence: '1m',
                window: { samples: 1, quietClose: '60s' },
                modules: {
                  n: { run: (ctx: StreamModuleContext) => ctx.window.topics[topic]?.samples.length ?? 0 },
                },
                // An interval beyond the test: every commit here is one by size or the end of the backlog.
                commit: { messages: 100, interval: '60s', backlogMessages: 1_000 },
              },
            },
          },
        },
        { env: {} },
      );
      engine = createEngine({ config, logger: silentLogger });
      await engine.start({ collect: true, backfill: false });
      const streams = engine.module(streamsModule);
      const live = () => streams.live()[0];
      const topicOf = () => live()?.topics[0];

      // Each key's open window holds its newest message and the one before it (a fill anchor); every other
      // message is settled and must be acknowledged.
      const HELD = 2 * KEYS;
      const settledAll = (received: number) => {
        const t = topicOf();
        return t !== undefined && t.received === received && t.acked === received - HELD && t;
      };
      await until(
        'the backlog to be acknowledged (its tail without waiting for the 60 s interval)',
        () => settledAll(BACKLOG),
        live,
      );
      await new Promise((r) => setTimeout(r, 300)); // a commit asked for while the last one ran
      const afterBacklog = live()?.commits ?? 0;
      // 3,000 messages at 100 a commit would take 30 commits; at 1,000, three and the drained tail.
      assert.ok(
        afterBacklog >= 2 && afterBacklog <= 8,
        `a backlog of ${BACKLOG} commits in a few large commits, not ${afterBacklog}`,
      );

      // Caught up: 50 new messages are fewer than commit.messages, so they wait for more.
      await publisher.publish(topic, messages(BACKLOG, BACKLOG + 50));
      await until('the 50 new messages to be received', () => topicOf()?.received === BACKLOG + 50, live);
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(live()?.commits, afterBacklog, 'no commit for 50 messages once caught up');
      assert.equal(topicOf()?.acked, BACKLOG - HELD);
      // 60 more make 110 since the last commit: past commit.messages, a commit runs (messages fetched after
      // it reached 100 may wait for the next one).
      await publisher.publish(topic, messages(BACKLOG + 50, BACKLOG + 110));
      await until(
        'the caught-up commit by commit.messages',
        () => (topicOf()?.acked ?? 0) >= BACKLOG + 100 - HELD,
        live,
      );
      assert.ok((live()?.commits ?? 0) > afterBacklog);
    });
  });
}

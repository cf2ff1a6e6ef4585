// The station-telemetry scenario end to end, on each stream server: messages published to real
// NATS JetStream / Redis Streams go through the streams module of a running engine (keyed windows with
// linear fill, global weather, two dependent modules, a batch with availability) into three sinks
// (a gapwarden dataset, a topic, a function); malformed messages go to the dead-letter topic.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { compileConfig } from '../src/config/compile-config.js';
import type { StreamSinkBatch, StreamSinkResult } from '../src/config/stream-functions.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { type HttpServer, startHttpServer } from '../src/server/http-server.js';
import { createStreamClient } from '../src/streams/clients/create-stream-client.js';
import type { StreamClient } from '../src/streams/clients/stream-client.js';
import { streamsModule } from '../src/streams/streams-module.js';
import { STREAM_SERVERS, uniqueTopic } from './helpers/stream-servers.js';
import { telemetryConfig, telemetryTopics } from './helpers/telemetry-pipeline.js';
import { tempDir } from './helpers/temp-dir.js';

const MIN = 60_000;
const T0 = Math.floor((Date.now() - 3 * 3_600_000) / MIN) * MIN;
const decoder = new TextDecoder();

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const server of STREAM_SERVERS) {
  describe(`streams module end to end on ${server.name}`, { skip: server.skip }, () => {
    let tmp: ReturnType<typeof tempDir>;
    let engine: Engine | undefined;
    let http: HttpServer | undefined;
    let publisher: StreamClient;
    beforeEach(async () => {
      tmp = tempDir();
      publisher = await createStreamClient(server.spec);
    });
    afterEach(async () => {
      await http?.close();
      await engine?.stop();
      await publisher.close();
      http = undefined;
      engine = undefined;
      tmp.cleanup();
    });

    it('windows, fills, global data, two modules and a batch reach every sink; bad messages are dead-lettered', async () => {
      const topics = telemetryTopics(uniqueTopic('gw.tele'));
      const seen: (StreamSinkResult | StreamSinkBatch)[] = [];
      const config = compileConfig(
        telemetryConfig({
          storePath: join(tmp.dir, 'store.db'),
          client: server.spec,
          topics,
          samples: 3,
          fn: (items) => {
            seen.push(...items);
          },
          start: new Date(T0 - 3_600_000).toISOString().slice(0, 16),
          idleExpiry: '2s',
        }),
        { env: {} },
      );
      engine = createEngine({ config, logger: silentLogger });
      await engine.start({ collect: true, backfill: false });
      const streams = engine.module(streamsModule);
      http = await startHttpServer({ engine, server: config.server, version: '0.0.0-test', port: 0 });

      // Global data first: every key's windows see it, including keys that appear later.
      await publisher.publish(topics.weather, [{ body: { temp: 21.5 } }]);
      await until('the weather to arrive', () => streams.live()[0]?.topics[2]?.received === 1);

      // S1..S3 over six one-minute slots; S1 skips power at slot 2 (linear fill), S3 never sends env.
      const data = [];
      const env = [];
      for (let slot = 0; slot < 6; slot++) {
        for (const [i, station] of ['S1', 'S2', 'S3'].entries()) {
          const time = T0 + slot * MIN;
          if (!(station === 'S1' && slot === 2))
            data.push({ body: { stationId: station, time, power: (i + 1) * 10 + slot } });
          if (station !== 'S3') env.push({ body: { stationId: station, time, temperature: 20 + slot } });
        }
      }
      await publisher.publish(topics.env, env);
      await publisher.publish(topics.data, data.slice(0, 6));
      await publisher.publish(topics.data, [
        { body: '{"stationId": "S1", "time": ' },
        { body: { time: T0, power: 1 } },
      ]);
      await publisher.publish(topics.data, data.slice(6));

      const results = () => seen.filter((s): s is StreamSinkResult => s.kind === 'result');
      const batches = () => seen.filter((s): s is StreamSinkBatch => s.kind === 'batch');
      // 3 stations × 6 windows × 2 modules; the last windows close when the keys go quiet (1 s).
      await until(
        'every window of every station',
        () => results().length >= 36 && batches().length >= 6,
      ).catch((err) => {
        throw new Error(
          `${err.message}: ${results().length} results, ${batches().length} batches; ${results()
            .map((r) => `${r.key}/${r.module}/${(r.windowEnd - T0) / MIN}`)
            .join(' ')} ${JSON.stringify(batches())}`,
        );
      });
      assert.equal(new Set(results().map((r) => r.outputKey)).size, 36, 'each window result once');

      // Linear fill: S1's window ending at slot 3 has power 11, (filled) 12, 13.
      const s1 = results().find((r) => r.key === 'S1' && r.module === 'load' && r.windowEnd === T0 + 3 * MIN);
      assert.deepEqual((s1?.value as { power: number[] } | undefined)?.power, [11, 12, 13]);
      // Global weather reached every key; plan got load's result.
      for (const r of results().filter((x) => x.module === 'load'))
        assert.equal((r.value as { temp: number }).temp, 21.5, `${r.key} sees the weather`);
      const plan = results().find(
        (r) => r.key === 'S2' && r.module === 'plan' && r.windowEnd === T0 + 5 * MIN,
      );
      assert.deepEqual(plan?.value, { target: ((25 + 24 + 23) / 3) * 2 });

      // Batches: every station reported, but S3 never sent env: availability 8/9, env named missing.
      for (const b of batches()) {
        assert.deepEqual(b.missingKeys, []);
        assert.deepEqual(b.missingTopics, [topics.env]);
        assert.ok(Math.abs(b.availabilityRatio - 8 / 9) < 1e-9, `availability ${b.availabilityRatio}`);
      }

      // The dataset sink: one record per plan result, through the core's ingest (coverage applies).
      await streams.commit();
      const db = new Database(join(tmp.dir, 'store.db'), { readonly: true });
      try {
        const n = db
          .prepare(
            "SELECT COUNT(*) AS n FROM records r JOIN datasets d ON d.id = r.dataset_id WHERE d.name = 'plans'",
          )
          .get() as { n: number };
        assert.equal(n.n, 18);
      } finally {
        db.close();
      }

      // Dead letters: the bad JSON and the message without stationId, each with its reason.
      const dlq = await publisher.consumer({
        topic: topics.deadLetter,
        group: 'check',
        consumerName: 'check',
        ackWaitMs: 5_000,
        batchLimit: 10,
      });
      const letters: { reason: string; topic: string }[] = [];
      const end = Date.now() + 5_000;
      while (letters.length < 2 && Date.now() < end)
        for (const m of await dlq.fetch(200)) letters.push(JSON.parse(decoder.decode(m.body)));
      assert.deepEqual(letters.map((l) => l.reason).sort(), ['bad-json', 'missing-key']);
      assert.ok(letters.every((l) => l.topic === topics.data));
      await dlq.close();

      // The results topic got the plan results and the batch reports.
      const out = await publisher.consumer({
        topic: topics.out,
        group: 'check',
        consumerName: 'check',
        ackWaitMs: 5_000,
        batchLimit: 100,
      });
      const published: { kind: string }[] = [];
      const end2 = Date.now() + 5_000;
      while (published.length < 24 && Date.now() < end2)
        for (const m of await out.fetch(200)) published.push(JSON.parse(decoder.decode(m.body)));
      assert.equal(published.filter((p) => p.kind === 'result').length, 18);
      assert.ok(published.filter((p) => p.kind === 'batch').length >= 6);
      await out.close();

      // Surfaces: the API shows every message acknowledged, dead letters counted, batches stored.
      // Keyed messages are acknowledged once no window needs them (the keys expire after 2 s idle); the
      // latest weather message stays held, so a restart rebuilds the global context from it.
      await until('the keys to expire', () =>
        streams
          .live()[0]
          ?.topics.slice(0, 2)
          .every((t) => t.unacked === 0),
      );
      await streams.commit();
      const api = (await (await fetch(`${http.url}/api/streams`)).json()) as {
        pipelines: {
          topics: { topic: string; acked: number; deadLetters: number }[];
          availability: { last: number };
        }[];
      };
      const [p] = api.pipelines;
      assert.deepEqual(
        p?.topics.map((t) => [t.topic, t.acked, t.deadLetters]),
        [
          [topics.data, 19, 2],
          [topics.env, 12, 0],
          [topics.weather, 0, 0],
        ],
      );
      assert.ok(Math.abs((p?.availability.last ?? 0) - 8 / 9) < 1e-9);
      const stored = (await (await fetch(`${http.url}/api/streams/batches?pipeline=stations`)).json()) as {
        batches: { status: string; missingTopics: string[] }[];
      };
      assert.ok(stored.batches.length >= 6);
      assert.ok(stored.batches.every((b) => b.status === 'complete' && b.missingTopics[0] === topics.env));
      const metrics = await (await fetch(`${http.url}/metrics`)).text();
      assert.match(
        metrics,
        /gapwarden_stream_dead_letter_messages\{pipeline="stations",topic="[^"]+station-data"\} 2/,
      );
    });

    it('a global message published before a keyed backlog is in every window of that backlog', async () => {
      const topics = telemetryTopics(uniqueTopic('gw.backlog'));
      const seen: (StreamSinkResult | StreamSinkBatch)[] = [];
      const config = compileConfig(
        telemetryConfig({
          storePath: join(tmp.dir, 'store.db'),
          client: server.spec,
          topics,
          samples: 1,
          grace: '0s',
          fn: (items) => {
            seen.push(...items);
          },
          start: new Date(T0 - 3_600_000).toISOString().slice(0, 16),
        }),
        { env: {} },
      );
      // Everything is waiting before the pipeline starts: the weather first, then 20 slots per station.
      await publisher.publish(topics.weather, [{ body: { temp: 18 } }]);
      const data = [];
      const env = [];
      for (let slot = 0; slot < 20; slot++)
        for (const station of ['S1', 'S2', 'S3']) {
          data.push({ body: { stationId: station, time: T0 + slot * MIN, power: slot } });
          env.push({ body: { stationId: station, time: T0 + slot * MIN, temperature: 20 } });
        }
      await publisher.publish(topics.data, data);
      await publisher.publish(topics.env, env);
      engine = createEngine({ config, logger: silentLogger });
      await engine.start({ collect: true, backfill: false });
      const batches = () => seen.filter((s): s is StreamSinkBatch => s.kind === 'batch');
      await until('the batches of the backlog', () => batches().length >= 19);
      const missing = batches().filter((b) => b.missingTopics.includes(topics.weather));
      assert.deepEqual(
        missing.map((b) => b.batchId),
        [],
        'no batch of the backlog reports the weather missing',
      );
    });
  });
}

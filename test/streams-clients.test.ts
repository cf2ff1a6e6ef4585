import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStreamClient } from '../src/streams/clients/create-stream-client.js';
import type { StreamConsumer, StreamMessage } from '../src/streams/clients/stream-client.js';
import { REDIS_SERVER, STREAM_SERVERS, uniqueTopic } from './helpers/stream-servers.js';

const decoder = new TextDecoder();

async function fetchAll(
  consumer: StreamConsumer,
  count: number,
  timeoutMs = 8_000,
): Promise<StreamMessage[]> {
  const out: StreamMessage[] = [];
  const until = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < until) out.push(...(await consumer.fetch(200)));
  return out;
}

const bodies = (ms: readonly StreamMessage[]) =>
  ms.map((m) => JSON.parse(decoder.decode(m.body)).n as number);

for (const server of STREAM_SERVERS) {
  describe(`StreamClient contract on ${server.name}`, { skip: server.skip }, () => {
    it('delivers what was published, in order, and an acknowledged message is not delivered again', async () => {
      const client = await createStreamClient(server.spec);
      try {
        const topic = uniqueTopic('gw.contract');
        await client.ensureTopic(topic);
        const opts = { topic, group: 'g1', consumerName: 'c1', ackWaitMs: 1_000, batchLimit: 50 };
        const consumer = await client.consumer(opts);
        await client.publish(
          topic,
          Array.from({ length: 120 }, (_, n) => ({ body: { n } })),
        );
        const got = await fetchAll(consumer, 120);
        assert.deepEqual(
          bodies(got),
          Array.from({ length: 120 }, (_, n) => n),
        );
        assert.ok(got.every((m) => m.topic === topic && !m.redelivered));
        assert.equal(new Set(got.map((m) => m.id)).size, 120, 'ids are unique');
        await consumer.ack(got);
        await consumer.close();
        // Past the ack wait, a new consumer of the group gets nothing: every message was acknowledged.
        await new Promise((r) => setTimeout(r, 1_300));
        const again = await client.consumer({ ...opts, consumerName: 'c2' });
        assert.deepEqual(await fetchAll(again, 1, 1_500), []);
        assert.equal(await again.lag(), 0);
      } finally {
        await client.close();
      }
    });

    it('redelivers what was fetched and never acknowledged once the ack wait passes, and reports it as lag', async () => {
      const client = await createStreamClient(server.spec);
      try {
        const topic = uniqueTopic('gw.redeliver');
        await client.ensureTopic(topic);
        const opts = { topic, group: 'g1', consumerName: 'dies', ackWaitMs: 1_000, batchLimit: 100 };
        const first = await client.consumer(opts);
        await client.publish(
          topic,
          Array.from({ length: 10 }, (_, n) => ({ body: { n } })),
        );
        const got = await fetchAll(first, 10);
        assert.equal(got.length, 10);
        await first.ack(got.slice(0, 4));
        await first.close(); // as if it died: six never acknowledged
        assert.equal(await first.lag(), 6, 'six messages are still owed');
        const second = await client.consumer({ ...opts, consumerName: 'takes-over' });
        const redelivered = await fetchAll(second, 6, 6_000);
        assert.deepEqual(
          bodies(redelivered).sort((a, b) => a - b),
          [4, 5, 6, 7, 8, 9],
        );
        assert.ok(
          redelivered.every((m) => m.redelivered),
          'the engine marks them as redelivered',
        );
        await second.ack(redelivered);
        assert.equal(await second.lag(), 0);
        await second.close();
      } finally {
        await client.close();
      }
    });
  });
}

describe('Redis consumer restarted under the same name', { skip: REDIS_SERVER.skip }, () => {
  it('reads back all of its own pending entries, more than one fetch holds, then the new ones', async () => {
    const client = await createStreamClient(REDIS_SERVER.spec);
    try {
      const topic = uniqueTopic('gw.own-pending');
      // An ack wait far beyond the test: only reading its own pending list can bring the entries back.
      const opts = { topic, group: 'g1', consumerName: 'same', ackWaitMs: 600_000, batchLimit: 50 };
      const before = await client.consumer(opts);
      await client.publish(
        topic,
        Array.from({ length: 120 }, (_, n) => ({ body: { n } })),
      );
      assert.equal((await fetchAll(before, 120)).length, 120);
      await before.close(); // as if killed: 120 pending, none acknowledged

      const after = await client.consumer(opts);
      const seen = new Map<string, StreamMessage>();
      const until = Date.now() + 5_000;
      // Each fetch's entries stay unacknowledged, as while windows hold them.
      while (seen.size < 120 && Date.now() < until) for (const m of await after.fetch(100)) seen.set(m.id, m);
      assert.equal(seen.size, 120, 'every pending entry came back, not only the first fetch-full');
      assert.deepEqual(
        bodies([...seen.values()]),
        Array.from({ length: 120 }, (_, n) => n),
      );
      assert.ok([...seen.values()].every((m) => m.redelivered));
      await client.publish(topic, [{ body: { n: 120 } }]);
      const fresh = await fetchAll(after, 1, 3_000);
      assert.deepEqual(bodies(fresh), [120], 'then new entries, without waiting for the ack wait');
      await after.ack([...seen.values(), ...fresh]);
      assert.equal(await after.lag(), 0);
    } finally {
      await client.close();
    }
  });
});

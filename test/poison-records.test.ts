// Keys and payloads a store might not hold exactly (U+0000, lone surrogates,
// characters outside the BMP) pushed through the real app on every store: the
// bad records are rejected one by one with a reason, the rest are stored, and
// every store answers the same.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { createMetrics } from '../src/server/metrics.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';

const TOKEN = 'test-token-0123456789abcdef';
const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };

/** The batch: valid records around one NUL key and two distinct lone-surrogate keys. */
const BATCH = [
  { key: 'plain', partition: 1, payload: { v: 1 } },
  { key: 'nul\u0000key', partition: 2, payload: { v: 2 } },
  { key: '\ud800', partition: 3, payload: { v: 3 } },
  { key: '\udc00', partition: 4, payload: { v: 4 } },
  {
    key: 'emoji-😀-ß-\t-\\',
    partition: 5,
    payload: { text: 'nul \u0000 lone \ud800 \udfff pair 😀 tab \t' },
  },
];

interface Answer {
  status: number;
  body: {
    inserted: number;
    rejected: number;
    rejections: { index: number; key?: string; reason: string }[];
  };
  stored: { key: string; payload: unknown }[];
  rejectedCount: number;
}

const answers = new Map<string, Answer>();

for (const adapter of STORE_ADAPTERS) {
  describe(`push ingest of poison keys on ${adapter.name}`, { skip: adapter.skip }, () => {
    let locator: string;
    let engine: Engine;
    let app: Hono;

    before(async () => {
      locator = await adapter.createDatabase();
      const config = compileConfig(
        {
          store: { sqlite: 'unused.db' },
          server: { token: TOKEN },
          datasets: { events: { partition: { sequence: { start: 1 } } } },
        },
        { env: {} },
      );
      engine = createEngine({ config, store: await adapter.open(locator), logger: silentLogger });
      await engine.open();
      app = createApp({
        engine,
        server: config.server,
        version: '0.0.0-test',
        metrics: createMetrics({ engine }),
      });
    });
    after(async () => {
      await engine.stop();
      await adapter.dropDatabase(locator);
    });

    it('stores the valid records and rejects each key a store cannot hold exactly, with what and where', async () => {
      const res = await app.request('/api/datasets/events/records', {
        method: 'POST',
        headers,
        body: JSON.stringify(BATCH),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as Answer['body'];
      assert.equal(body.inserted, 2);
      assert.equal(body.rejected, 3);
      assert.deepEqual(
        body.rejections.map((r) => [r.index, r.key]),
        [
          [1, 'nul\u0000key'],
          [2, '\ud800'],
          [3, '\udc00'],
        ],
      );
      assert.match(body.rejections[0]!.reason, /U\+0000.*position 3/);
      assert.match(body.rejections[1]!.reason, /lone surrogate U\+D800.*position 0/);
      assert.match(body.rejections[2]!.reason, /lone surrogate U\+DC00.*position 0/);

      const page = (await (await app.request('/api/datasets/events/records?limit=10')).json()) as {
        records: { key: string; payload: unknown }[];
      };
      const stored = page.records.map((r) => ({ key: r.key, payload: r.payload }));
      assert.deepEqual(stored, [
        { key: BATCH[4]!.key, payload: BATCH[4]!.payload },
        { key: 'plain', payload: { v: 1 } },
      ]);
      const rejectedCount = (await engine.store.stats('events')).rejected;
      assert.equal(rejectedCount, 3);
      answers.set(adapter.name, { status: res.status, body, stored, rejectedCount });
    });
  });
}

describe('push ingest of poison keys: every store answers alike', () => {
  it('gives the same answer, stored records and rejected count on each store that ran', (t) => {
    const ran = [...answers.entries()];
    if (ran.length < 2) return t.skip(`only ${ran.map(([n]) => n).join(', ') || 'no store'} ran`);
    const [first, ...rest] = ran;
    for (const [name, answer] of rest)
      assert.deepEqual(answer, first![1], `${name} answers as ${first![0]} does`);
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { tempDir } from './helpers/temp-dir.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

function engineFor(dir: string, server: Record<string, unknown>): Engine {
  const config = compileConfig(
    {
      store: { sqlite: join(dir, 'limits.db') },
      server: { token: TOKEN, port: 0, ...server },
      datasets: { draws: { partition: { sequence: { start: 1 } } } },
    },
    { env: {} },
  );
  return createEngine({ config, logger: silentLogger });
}

describe('push ingest: rejections listed, memory bounded', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine;

  before(async () => {
    tmp = tempDir();
    engine = engineFor(tmp.dir, {});
    await engine.open();
  });
  after(async () => {
    await engine.stop();
    tmp.cleanup();
  });

  const app = () => createApp({ engine, server: engine.config.server, version: '0.0.0-test' });

  it('lists at most 100 rejections of a 10 MB batch of zeros and counts the rest, in a small answer', async () => {
    const n = 5_000_000;
    const body = `[${'0,'.repeat(n - 1)}0]`;
    assert.ok(body.length <= engine.config.server.bodyLimitBytes, 'within the default body limit');
    const rssBefore = process.memoryUsage().rss;
    const res = await app().request('/api/datasets/draws/records', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...auth },
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(text.length < 64 * 1024, `the answer is ${text.length} bytes`);
    // The resident set only grows to hold the request's peak: before rejections were capped this
    // one request held 3 GB; parsing 10 MB into 5 million values and checking them takes far less.
    const grewMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    assert.ok(grewMb < 512, `the process grew by ${grewMb.toFixed(0)} MB for one 10 MB request`);
    const answer = JSON.parse(text) as {
      received: number;
      inserted: number;
      rejected: number;
      rejections: { index: number; reason: string }[];
      rejectionsOmitted: number;
    };
    assert.equal(answer.received, n);
    assert.equal(answer.inserted, 0);
    assert.equal(answer.rejected, n, 'every rejection is counted');
    assert.equal(answer.rejections.length, 100);
    assert.deepEqual(
      answer.rejections.slice(0, 3).map((r) => r.index),
      [0, 1, 2],
      'the first ones are listed, in body order',
    );
    assert.match(answer.rejections[0]!.reason, /expected an object/);
    assert.equal(answer.rejectionsOmitted, n - 100);
    assert.equal((await engine.store.stats('draws')).rejected, n, 'the dataset counts them all');
  });

  it('library ingest lists the first 100 rejections too, and counts them all', async () => {
    const result = await engine.ingest(
      'draws',
      Array.from({ length: 1000 }, (_, i) => i),
    );
    assert.equal(result.rejectedCount, 1000);
    assert.equal(result.rejected.length, 100);
    assert.equal(result.rejected[99]!.index, 99);
  });

  it('lists at most 100 unparsable NDJSON lines and counts the rest', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) =>
      i === 2500 ? '{"key":"1","partition":1,"payload":{}}' : '{',
    );
    const res = await app().request('/api/datasets/draws/records', {
      method: 'POST',
      body: lines.join('\n'),
      headers: { 'content-type': 'application/x-ndjson', ...auth },
    });
    assert.equal(res.status, 200);
    const answer = (await res.json()) as {
      received: number;
      inserted: number;
      rejected: number;
      rejections: { index: number; reason: string }[];
      rejectionsOmitted: number;
    };
    assert.equal(answer.received, 5000);
    assert.equal(answer.rejected, 4999);
    assert.equal(answer.rejections.length, 100);
    assert.match(answer.rejections[0]!.reason, /^line 1: not valid JSON/);
    assert.equal(answer.rejectionsOmitted, 4899);
  });
});

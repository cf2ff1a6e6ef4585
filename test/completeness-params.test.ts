// The completeness view checks its query parameters the same way whether or
// not the dataset has records yet.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { createMetrics } from '../src/server/metrics.js';
import { tempDir } from './helpers/temp-dir.js';

describe('completeness parameters on datasets with and without records', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine;
  let app: Hono;

  before(async () => {
    tmp = tempDir();
    const config = compileConfig(
      {
        store: { sqlite: join(tmp.dir, 'completeness.db') },
        datasets: {
          empty: { partition: { sequence: { start: 1 } } },
          daily: { partition: { calendar: { every: '1d', timezone: 'Asia/Shanghai' } } },
          filled: { partition: { sequence: { start: 1 } } },
        },
      },
      { env: {} },
    );
    engine = createEngine({ config, logger: silentLogger });
    await engine.open();
    await engine.ingest(
      'filled',
      [1, 2, 4].map((p) => ({ key: String(p), partition: p, payload: {} })),
    );
    app = createApp({
      engine,
      server: config.server,
      version: '0.0.0-test',
      metrics: createMetrics({ engine }),
    });
  });
  after(async () => {
    await engine.stop();
    tmp.cleanup();
  });

  const get = async (path: string) => {
    const res = await app.request(path);
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  };

  for (const dataset of ['empty', 'filled']) {
    it(`answers 400 naming the parameter for a bad from, to, order or bucket (${dataset})`, async () => {
      const badFrom = await get(`/api/datasets/${dataset}/completeness?from=soon`);
      assert.equal(badFrom.status, 400);
      assert.match(badFrom.body.error!.message, /^from soon is not a partition of dataset/);
      const badTo = await get(`/api/datasets/${dataset}/completeness?to=1.5`);
      assert.equal(badTo.status, 400);
      assert.match(badTo.body.error!.message, /^to 1\.5 is not a partition/);
      const reversed = await get(`/api/datasets/${dataset}/completeness?from=9&to=3`);
      assert.equal(reversed.status, 400);
      assert.match(reversed.body.error!.message, /from 9 is after to 3/);
      const bucket = await get(`/api/datasets/${dataset}/completeness?bucket=fortnight`);
      assert.equal(bucket.status, 400);
      assert.match(bucket.body.error!.message, /bucket/);
    });
  }

  it('checks calendar bounds on an empty calendar dataset too, and answers valid ones with no buckets', async () => {
    const bad = await get('/api/datasets/daily/completeness?from=2026-13-45');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error!.message, /^from 2026-13-45 is not a partition of dataset "daily"/);
    const ok = await get('/api/datasets/daily/completeness?from=2026-11-01&to=2026-11-05&bucket=day');
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, {
      bucket: 'day',
      blockSize: null,
      from: null,
      to: null,
      range: null,
      buckets: [],
    });
  });

  it('answers the bucket kind a sequence really uses, with records or without', async () => {
    for (const dataset of ['empty', 'filled']) {
      const res = await get(`/api/datasets/${dataset}/completeness?bucket=hour`);
      assert.equal(res.status, 200);
      assert.equal((res.body as { bucket?: string }).bucket, 'block', dataset);
    }
  });
});

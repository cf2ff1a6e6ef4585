// Every rejected record counts once, in the store and in the metric, whatever
// path it came in by: push, a collect's response mapping, a backfill's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { createMetrics } from '../src/server/metrics.js';
import { sendJson, startUpstream, type Upstream } from '../src/sources/http/test-upstream.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';
import { waitFor } from './helpers/temp-dir.js';

/** The sum of every sample of `name` in an exposition text whose labels include `labels`. */
function sampled(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[k!] = v!;
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

for (const adapter of STORE_ADAPTERS)
  describe(`rejected records on ${adapter.name}: the metric counts what the store counts`, {
    skip: adapter.skip,
  }, () => {
    let up: Upstream;
    let locator: string;
    let engine: Engine;
    let scrape: () => Promise<string>;

    before(async () => {
      locator = await adapter.createDatabase();
      up = await startUpstream();
      // latest: one good item, one without a key (rejected by the mapping), one with a bad partition
      // (rejected by ingest); then period 4 with another keyless item, which opens the gap 2..3.
      up.route('/latest', (_req, res, n) =>
        sendJson(res, 200, {
          data:
            n === 1
              ? [{ issue: 1 }, { note: 'no key' }, { issue: 'x' }]
              : [{ issue: 4 }, { note: 'no key either' }],
        }),
      );
      // history: the period asked for plus two items the mapping cannot use.
      up.route('/history', (req, res) =>
        sendJson(res, 200, {
          data: [{ issue: Number(req.query.issue) }, 'not an object', { note: 'no key' }],
        }),
      );
      const config = compileConfig(
        {
          store: { sqlite: 'unused.db' },
          datasets: {
            draws: {
              partition: { sequence: { start: 1 } },
              sources: [
                {
                  name: 'primary',
                  type: 'http',
                  baseUrl: up.url,
                  latest: { url: '/latest' },
                  byKey: { url: '/history', query: { issue: '${partition}' } },
                  response: { records: 'data', key: 'issue' },
                  retries: 0,
                },
              ],
              backfill: { retryInitial: '20ms', ratePerSecond: 1000 },
            },
          },
        },
        { env: {} },
      );
      engine = createEngine({ config, store: await adapter.open(locator), logger: silentLogger, pollMs: 50 });
      await engine.start({ collect: false, backfill: true });
      const app = createApp({
        engine,
        server: config.server,
        version: '0.0.0-test',
        metrics: createMetrics({ engine }),
      });
      scrape = async () => (await app.request('/metrics')).text();
    });
    after(async () => {
      await engine.stop();
      await up.close();
      await adapter.dropDatabase(locator);
    });

    it('counts mapping rejections of collect and backfill, and push rejections, once each', async () => {
      const first = await engine.collect('draws');
      assert.equal(first.inserted, 1);
      assert.equal(first.rejected.length, 2, 'the keyless item and the bad partition');
      const second = await engine.collect('draws');
      assert.equal(second.rejected.length, 1);
      await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the backfill of 2..3');
      await engine.backfillIdle();
      await engine.ingest('draws', [{ key: 'y', partition: 'y', payload: {} }]);

      // 2 + 1 from collect, 2 x 2 from the two backfill answers, 1 pushed.
      const stored = (await engine.store.stats('draws')).rejected;
      assert.equal(stored, 8);
      const text = await scrape();
      assert.equal(sampled(text, 'gapwarden_records_rejected_total', { dataset: 'draws' }), stored);
      assert.equal(
        sampled(text, 'gapwarden_records_rejected_total', { dataset: 'draws', source: 'primary' }),
        7,
      );
      assert.equal(
        sampled(text, 'gapwarden_records_rejected_total', { dataset: 'draws', source: 'push' }),
        1,
      );
    });
  });

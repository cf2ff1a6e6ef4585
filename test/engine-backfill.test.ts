import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { payloadOf, startTestUpstream, type TestUpstream, upstreamSource } from './helpers/test-upstream.js';

const fast = { retryInitial: '20ms', retryMax: '100ms', ratePerSecond: 1000 };

describe('engine: gaps found at insert time are backfilled from the source', () => {
  let up: TestUpstream;
  let secondary: TestUpstream;
  let tmp: ReturnType<typeof tempDir>;
  let engines: Engine[] = [];

  before(async () => {
    up = await startTestUpstream(Array.from({ length: 50 }, (_, i) => i + 1));
    secondary = await startTestUpstream(Array.from({ length: 50 }, (_, i) => i + 1));
    tmp = tempDir();
  });
  after(async () => {
    await up.close();
    await secondary.close();
    tmp.cleanup();
  });
  afterEach(async () => {
    for (const e of engines) await e.stop().catch(() => {});
    engines = [];
    up.down = false;
    up.failNext = 0;
    up.absent.clear();
    up.latestBody = undefined;
  });

  let n = 0;
  function engineFor(dataset: Record<string, unknown>, file = join(tmp.dir, `e${++n}.db`)) {
    const config = compileConfig({ store: { sqlite: file }, datasets: { draws: dataset } }, { env: {} });
    const engine = createEngine({ config, logger: silentLogger, pollMs: 50 });
    engines.push(engine);
    return engine;
  }

  it('fills a gap within seconds and stores exactly the upstream payloads', async () => {
    const engine = engineFor({
      partition: { sequence: { start: 1 } },
      sources: [upstreamSource('primary', up.url)],
      backfill: fast,
    });
    await engine.start();
    await engine.ingest(
      'draws',
      [1, 2, 3].map((p) => ({ key: String(p), partition: p, payload: payloadOf(p) })),
    );
    const opened: unknown[] = [];
    engine.events.on('gap:opened', (e) => opened.push(e));
    const result = await engine.ingest('draws', [{ key: '7', partition: 7, payload: payloadOf(7) }]);
    assert.deepEqual(result.gapsOpened, [[3, 5]]);
    assert.deepEqual(opened, [{ dataset: 'draws', from: 4, to: 6, count: 3 }]);
    await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to close', 5000);
    const rows = await engine.store.recordsBetween('draws', 0, 10);
    assert.deepEqual(
      rows.map((r) => r.key),
      ['1', '2', '3', '4', '5', '6', '7'],
    );
    for (const r of rows) assert.deepEqual(JSON.parse(r.payload), payloadOf(Number(r.key)));
    assert.deepEqual(
      rows.filter((r) => r.source === 'primary').map((r) => r.key),
      ['4', '5', '6'],
    );
    const [run] = await engine.store.listBackfillRuns('draws', 1);
    assert.equal(run?.filled, 3);
    assert.notEqual(run?.finishedAt, null);
  });

  it('marks a partition the source confirms absent as known missing, not an open gap', async () => {
    up.absent.add(12);
    const engine = engineFor({
      partition: { sequence: {} },
      sources: [upstreamSource('primary', up.url)],
      backfill: fast,
    });
    await engine.start();
    await engine.ingest(
      'draws',
      [10, 11, 13].map((p) => ({ key: String(p), partition: p, payload: payloadOf(p) })),
    );
    await waitFor(async () => (await engine.status()).datasets[0]!.knownMissing === 1, 'known missing');
    const [status] = (await engine.status()).datasets;
    assert.equal(status!.openGaps, 0);
    assert.equal(status!.coveragePercent, 100);
    assert.equal(status!.status, 'healthy');
  });

  it('retries a flaky source with backoff and fills the gap', async () => {
    up.failNext = 2;
    const engine = engineFor({
      partition: { sequence: {} },
      sources: [upstreamSource('primary', up.url)],
      backfill: fast,
      breaker: { failureThreshold: 10 },
    });
    await engine.start();
    await engine.ingest(
      'draws',
      [20, 22].map((p) => ({ key: String(p), partition: p, payload: payloadOf(p) })),
    );
    await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to close');
    assert.ok(
      up.calls.history.filter((p) => p === 21).length >= 3,
      `expected 3+ calls for 21, saw ${up.calls.history}`,
    );
  });

  it('fails over to the second source while the first is down, and records which one answered', async () => {
    up.down = true;
    const engine = engineFor({
      partition: { sequence: {} },
      sources: [upstreamSource('primary', up.url), upstreamSource('secondary', secondary.url)],
      backfill: fast,
      breaker: { failureThreshold: 1, cooldown: '1m' },
    });
    await engine.start();
    await engine.ingest(
      'draws',
      [30, 33].map((p) => ({ key: String(p), partition: p, payload: payloadOf(p) })),
    );
    await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to close');
    const rows = await engine.store.recordsBetween('draws', 31, 32);
    assert.deepEqual(
      rows.map((r) => r.source),
      ['secondary', 'secondary'],
    );
    const health = await engine.store.loadSourceHealth('draws');
    assert.equal(health.find((h) => h.source === 'primary')?.state, 'open');
  });

  it('collects, rejecting malformed items but keeping the valid ones', async () => {
    const engine = engineFor({
      partition: { sequence: {} },
      sources: [upstreamSource('primary', up.url)],
      backfill: { enabled: false },
    });
    await engine.open();
    up.latestBody = JSON.stringify({
      code: 0,
      data: [payloadOf(40), { value: 1 }, { issue: 'abc' }, payloadOf(41)],
    });
    const result = await engine.collect('draws');
    assert.equal(result.inserted, 2);
    assert.equal(result.rejected.length, 2);
    assert.equal((await engine.store.stats('draws')).rejected, 2);
    up.latestBody = '{"code":0,"data":[{"issue":42'; // truncated JSON
    await assert.rejects(
      engine.collect('draws'),
      (err: Error & { code?: string }) =>
        err.code === 'SOURCE_RESPONSE_INVALID' || err.code === 'SOURCE_UNAVAILABLE',
    );
    assert.equal((await engine.store.stats('draws')).records, 2);
  });

  it('keeps the queue across a restart: a gap queued while the source is down is filled by the next process', async () => {
    const file = join(tmp.dir, 'restart.db');
    const dataset = {
      partition: { sequence: {} },
      sources: [upstreamSource('primary', up.url)],
      backfill: { ...fast, maxAttempts: 100, retryInitial: '5s', retryMax: '5s' },
      // Three failures in a row would open the breaker, whose 30 s cooldown the queued retry honours.
      breaker: { failureThreshold: 10 },
    };
    up.down = true;
    const first = engineFor(dataset, file);
    await first.start();
    await first.ingest(
      'draws',
      [1, 5].map((p) => ({ key: String(p), partition: p, payload: payloadOf(p) })),
    );
    await waitFor(
      async () => (await first.store.countBackfillItems('draws')).pending === 3,
      'the gap to be queued',
    );
    await first.stop();
    up.down = false;
    const second = engineFor({ ...dataset, backfill: fast }, file);
    await second.start();
    await waitFor(
      async () => (await second.gaps('draws')).length === 0,
      'the restarted engine to fill the gap',
      8000,
    );
    assert.equal((await second.store.stats('draws')).records, 5);
  });
});

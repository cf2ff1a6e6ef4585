// The ways a dataset turns unhealthy, each through the real path: an engine on a
// SQLite file with an injected clock, a real HTTP upstream, and a configured `check` job.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock, type ManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { payloadOf, startTestUpstream, type TestUpstream, upstreamSource } from './helpers/test-upstream.js';

const T0 = Date.parse('2026-06-01T08:00:00Z');
const MIN = 60_000;
const records = (...ps: number[]) => ps.map((p) => ({ key: String(p), partition: p, payload: payloadOf(p) }));

describe('unhealthy datasets', () => {
  let up: TestUpstream;
  let tmp: ReturnType<typeof tempDir>;
  let engines: Engine[] = [];

  before(async () => {
    up = await startTestUpstream([1, 2, 3, 4, 5]);
    tmp = tempDir();
  });
  after(async () => {
    await up.close();
    tmp.cleanup();
  });
  afterEach(async () => {
    for (const e of engines) await e.stop();
    engines = [];
    up.failNext = 0;
  });

  let n = 0;
  function engineFor(dataset: Record<string, unknown>, clock: ManualClock) {
    const config = compileConfig(
      {
        store: { sqlite: join(tmp.dir, `unhealthy${++n}.db`) },
        datasets: { draws: dataset },
        jobs: { 'draws-check': { kind: 'check', dataset: 'draws', schedule: { cron: '0 3 * * *' } } },
      },
      { env: {} },
    );
    const engine = createEngine({ config, clock, logger: silentLogger, pollMs: 20 });
    engines.push(engine);
    return engine;
  }
  const statusOf = async (engine: Engine) => {
    const report = await engine.status();
    const d = report.datasets[0]!;
    return { healthy: report.healthy, status: d.status, freshness: d.freshness, reasons: d.reasons };
  };

  it('turns degraded past freshness.warnAfter and unhealthy past errorAfter, and healthy again with a new record', async () => {
    const clock = createManualClock(T0);
    const engine = engineFor(
      { partition: { sequence: { start: 1 } }, freshness: { warnAfter: '10m', errorAfter: '30m' } },
      clock,
    );
    await engine.open();
    await engine.ingest('draws', records(1, 2));
    assert.deepEqual(await statusOf(engine), {
      healthy: true,
      status: 'healthy',
      freshness: 'ok',
      reasons: [],
    });

    clock.advance(10 * MIN + 1000);
    assert.deepEqual(await statusOf(engine), {
      healthy: true,
      status: 'degraded',
      freshness: 'warn',
      reasons: ['no new record for 10m 1s (warn after 10m)'],
    });

    clock.advance(20 * MIN);
    assert.deepEqual(await statusOf(engine), {
      healthy: false,
      status: 'unhealthy',
      freshness: 'error',
      reasons: ['no new record for 30m 1s (error after 30m)'],
    });

    // A duplicate is not a new record; a new one is.
    await engine.ingest('draws', records(2));
    assert.equal((await statusOf(engine)).status, 'unhealthy');
    await engine.ingest('draws', records(3));
    assert.deepEqual(await statusOf(engine), {
      healthy: true,
      status: 'healthy',
      freshness: 'ok',
      reasons: [],
    });
  });

  it('a configured check job fails (CHECK_FAILED) while the dataset is unhealthy, and passes once it is not', async () => {
    const clock = createManualClock(T0);
    const engine = engineFor(
      { partition: { sequence: { start: 1 } }, freshness: { errorAfter: '30m' } },
      clock,
    );
    await engine.open();
    await engine.ingest('draws', records(1));
    clock.advance(31 * MIN);
    const failed = await engine.jobs().trigger('draws-check');
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error, 'unhealthy: draws (no new record for 31m (error after 30m))');
    await engine.ingest('draws', records(2));
    const passed = await engine.jobs().trigger('draws-check');
    assert.equal(passed.state, 'ok');
    const history = await engine.jobs().history('draws-check', { limit: 10 });
    assert.deepEqual(
      history.map((r) => r.state),
      ['ok', 'failed'],
    );
  });

  it('turns unhealthy when a backfill exhausts maxAttempts against an upstream that always fails', async () => {
    up.failNext = 1000; // every /history call answers 500
    const clock = createManualClock(T0);
    const engine = engineFor(
      {
        partition: { sequence: { start: 1 } },
        sources: [upstreamSource('primary', up.url)],
        backfill: { maxAttempts: 2, retryInitial: '1s', retryMax: '1s', ratePerSecond: 1000 },
        // The breaker would hold the retries back for its cooldown; here every attempt reaches the upstream.
        breaker: { failureThreshold: 100 },
      },
      clock,
    );
    const failed: (number | string)[] = [];
    engine.events.on('backfill:failed', (e) => failed.push(e.partition));
    await engine.start();
    await engine.ingest('draws', records(1, 4));
    // The first attempts fail at once; the retries are due a second later on the injected clock.
    await waitFor(
      async () => (await engine.store.countBackfillItems('draws')).pending === 2,
      'both partitions to wait for their retry',
    );
    clock.advance(1000);
    await waitFor(() => failed.length === 2, 'both partitions to fail for good');
    assert.deepEqual(failed.sort(), [2, 3]);
    const history = up.calls.history.filter((p) => p === 2 || p === 3);
    assert.equal(history.length, 4, 'two attempts each, no more');
    assert.deepEqual(await statusOf(engine), {
      healthy: false,
      status: 'unhealthy',
      freshness: 'ok',
      reasons: ['2 partition(s) could not be backfilled', '2 partition(s) missing in 1 gap(s)'],
    });
    const failedRun = await engine.jobs().trigger('draws-check');
    assert.equal(failedRun.state, 'failed');
    assert.match(failedRun.error ?? '', /^unhealthy: draws \(2 partition\(s\) could not be backfilled/);
  });
});

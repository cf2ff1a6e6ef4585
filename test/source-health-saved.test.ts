// Source health as another process sees it (`gapwarden status` beside `serve`): what a
// process saw of its sources is saved after calls, not only when a breaker changes state.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { SOURCE_HEALTH_SAVE_INTERVAL_MS } from '../src/core/source-health-saver.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { startTestUpstream, type TestUpstream, upstreamSource } from './helpers/test-upstream.js';

const T0 = Date.parse('2026-06-01T08:00:00Z');

describe('source health saved for other processes', () => {
  let up: TestUpstream;
  let tmp: ReturnType<typeof tempDir>;
  let engines: Engine[] = [];

  before(async () => {
    up = await startTestUpstream([1, 2, 3]);
    tmp = tempDir();
  });
  after(async () => {
    await up.close();
    tmp.cleanup();
  });
  afterEach(async () => {
    for (const e of engines) await e.stop().catch(() => {});
    engines = [];
  });

  const config = (file: string) =>
    compileConfig(
      {
        store: { sqlite: file },
        datasets: {
          draws: {
            partition: { sequence: { start: 1 } },
            sources: [upstreamSource('primary', up.url)],
            backfill: { enabled: false },
          },
        },
      },
      { env: {} },
    );

  it('status in another process shows the last success of a source whose breaker never changed state', async () => {
    const file = join(tmp.dir, 'health.db');
    const clock = createManualClock(T0);
    // The real store, with its health writes counted.
    const inner = createSqliteStore({ path: file, clock });
    let saves = 0;
    const store: Store = {
      ...inner,
      saveSourceHealth: (dataset, health) => {
        saves++;
        return inner.saveSourceHealth(dataset, health);
      },
    };
    const serving = createEngine({ config: config(file), store, clock, logger: silentLogger });
    engines.push(serving);
    await serving.open();
    await serving.collect('draws');

    // `status` in another process: its own sources have not been used.
    const other = createEngine({ config: config(file), logger: silentLogger });
    engines.push(other);
    await other.open();
    const seenByOther = async () => (await other.status()).datasets[0]!.sources[0]!;
    await waitFor(async () => (await seenByOther()).lastSuccessAt === T0, 'the first success to be saved');
    assert.deepEqual(
      (({ source, state, consecutiveFailures, lastFailureAt }) => ({
        source,
        state,
        consecutiveFailures,
        lastFailureAt,
      }))(await seenByOther()),
      { source: 'primary', state: 'closed', consecutiveFailures: 0, lastFailureAt: null },
    );

    // A busy source is not written on every call: at most once per interval.
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await serving.collect('draws');
    }
    assert.equal(saves, 1, 'calls within the interval are not saved one by one');
    clock.advance(SOURCE_HEALTH_SAVE_INTERVAL_MS);
    await serving.collect('draws');
    assert.equal(saves, 2);
    const saved = T0 + 5000 + SOURCE_HEALTH_SAVE_INTERVAL_MS;
    await waitFor(async () => (await seenByOther()).lastSuccessAt === saved, 'the next save');

    // What was not saved yet is saved when the process stops.
    clock.advance(1000);
    await serving.collect('draws');
    await serving.stop();
    assert.equal((await seenByOther()).lastSuccessAt, saved + 1000);
  });

  it('a failure after successes is saved at once when it opens the breaker, with both times', async () => {
    const file = join(tmp.dir, 'failing.db');
    const clock = createManualClock(T0);
    const serving = createEngine({ config: config(file), clock, logger: silentLogger });
    engines.push(serving);
    await serving.open();
    await serving.collect('draws');
    up.down = true;
    try {
      for (let i = 1; i <= 3; i++) {
        clock.advance(1000);
        await assert.rejects(serving.collect('draws'));
      }
    } finally {
      up.down = false;
    }
    const other = createEngine({ config: config(file), logger: silentLogger });
    engines.push(other);
    await other.open();
    await waitFor(
      async () => (await other.status()).datasets[0]!.sources[0]!.state === 'open',
      'the open breaker to be saved',
    );
    const seen = (await other.status()).datasets[0]!.sources[0]!;
    assert.deepEqual([seen.lastSuccessAt, seen.lastFailureAt, seen.consecutiveFailures], [T0, T0 + 3000, 3]);
  });
});

// Two engines on one store, as two `serve` processes sharing a database are:
// each keeps its own view of coverage, loaded at start. What one of them
// stored, the other must neither announce as a gap nor fetch again.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';
import { payloadOf, startTestUpstream, type TestUpstream, upstreamSource } from './helpers/test-upstream.js';

const rec = (p: number) => ({ key: String(p), partition: p, payload: payloadOf(p) });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

for (const adapter of STORE_ADAPTERS) {
  describe(`two engines sharing one ${adapter.name} store`, { skip: adapter.skip }, () => {
    let up: TestUpstream;
    let locator: string;
    let engines: Engine[] = [];

    before(async () => {
      up = await startTestUpstream(range(1, 50));
    });
    after(() => up.close());
    afterEach(async () => {
      for (const e of engines) await e.stop().catch(() => {});
      engines = [];
      await adapter.dropDatabase(locator);
    });

    /** Engines opened now, on one fresh database: each loads coverage (empty) once, at its start. */
    async function twoEngines(): Promise<[Engine, Engine]> {
      locator = await adapter.createDatabase();
      const config = compileConfig(
        {
          store: { sqlite: 'unused.db' },
          datasets: {
            draws: {
              partition: { sequence: { start: 1 } },
              sources: [upstreamSource('primary', up.url)],
              backfill: { retryInitial: '20ms', ratePerSecond: 1000 },
            },
          },
        },
        { env: {} },
      );
      for (let i = 0; i < 2; i++) {
        const engine = createEngine({
          config,
          store: await adapter.open(locator),
          logger: silentLogger,
          pollMs: 50,
        });
        engines.push(engine);
        await engine.open();
      }
      up.calls.history.length = 0;
      return [engines[0]!, engines[1]!];
    }

    it('announces as a gap only what the store lacks, not what the other engine stored', async () => {
      const [a, b] = await twoEngines();
      await a.ingest('draws', range(1, 10).map(rec));
      const opened: unknown[] = [];
      b.events.on('gap:opened', (e) => opened.push(e));
      // b has not seen 1..10: its view alone would call 1..11 missing.
      const result = await b.ingest('draws', [rec(12)]);
      assert.deepEqual(result.gapsOpened, [[10, 10]]);
      assert.deepEqual(opened, [{ dataset: 'draws', from: 11, to: 11, count: 1 }]);
      const gaps = await b.gaps('draws');
      assert.deepEqual(
        gaps.map(({ detectedAt: _, ...g }) => g),
        [{ from: 11, to: 11, fromOrdinal: 10, toOrdinal: 10, count: 1, ageSeconds: 0, partitionAt: null }],
      );
      assert.equal(typeof gaps[0]?.detectedAt, 'number', 'b found the gap itself');
    });

    it('status shows a gap the other engine filled as filled, without a restart', async () => {
      const [a, b] = await twoEngines();
      // Both see 1..3 and 5, so both hold 4 open; only a fills it.
      await a.ingest('draws', [1, 2, 3, 5].map(rec));
      await b.ingest('draws', [1, 2, 3, 5].map(rec));
      assert.equal(b.dataset('draws').coverage.summary().missing, 1);
      await a.ingest('draws', [rec(4)]);
      const [draws] = (await b.status()).datasets;
      assert.deepEqual([draws?.openGaps, draws?.coveragePercent], [0, 100]);
      assert.deepEqual(await b.gaps('draws'), []);
    });

    it('does not fetch a queued partition the other engine has stored meanwhile', async () => {
      const [a, b] = await twoEngines();
      await b.start({ queueOpenGaps: false });
      await a.ingest('draws', range(1, 5).map(rec));
      // Queued from a view that has not seen 1..5 (b's own, or a third process's).
      const run = await b.queueBackfill('draws', range(0, 4), 'manual');
      const report = await b.waitForRun(run.id);
      assert.equal(report.filled, 5);
      assert.deepEqual(up.calls.history, [], 'the source was asked for partitions already stored');
      assert.deepEqual(await b.gaps('draws'), []);
      assert.equal((await b.status()).datasets[0]!.records, 5);
    });
  });
}

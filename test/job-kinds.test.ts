// The `backfill` and `reconcile` job kinds, configured as jobs and run by the job runner
// against a real SQLite store and HTTP upstream: each does its work, and its run says so.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { tempDir } from './helpers/temp-dir.js';
import { payloadOf, startTestUpstream, type TestUpstream, upstreamSource } from './helpers/test-upstream.js';

const records = (...ps: number[]) => ps.map((p) => ({ key: String(p), partition: p, payload: payloadOf(p) }));

describe('job kinds: backfill and reconcile', () => {
  let up: TestUpstream;
  let tmp: ReturnType<typeof tempDir>;
  let engines: Engine[] = [];

  before(async () => {
    up = await startTestUpstream(Array.from({ length: 20 }, (_, i) => i + 1));
    tmp = tempDir();
  });
  after(async () => {
    await up.close();
    tmp.cleanup();
  });
  afterEach(async () => {
    for (const e of engines) await e.stop();
    engines = [];
  });

  function engineFor(file: string, dataset: Record<string, unknown>, jobs: Record<string, unknown>) {
    const config = compileConfig(
      { store: { sqlite: join(tmp.dir, file) }, datasets: { draws: dataset }, jobs },
      { env: {} },
    );
    const engine = createEngine({ config, logger: silentLogger, pollMs: 20 });
    engines.push(engine);
    return engine;
  }

  it('a backfill job fills the open gaps of a dataset that does not backfill on its own', async () => {
    const engine = engineFor(
      'backfill-job.db',
      {
        partition: { sequence: { start: 1 } },
        sources: [upstreamSource('primary', up.url)],
        // Gaps wait for the nightly job instead of being fetched as they open.
        backfill: { enabled: false, ratePerSecond: 1000 },
      },
      {
        'nightly-backfill': {
          kind: 'backfill',
          dataset: 'draws',
          schedule: { cron: '0 4 * * *' },
          timeout: '10s',
        },
      },
    );
    await engine.start({ collect: false, backfill: true });
    await engine.ingest('draws', records(1, 2, 6));
    assert.deepEqual(
      (await engine.gaps('draws')).map((g) => [g.from, g.to]),
      [[3, 5]],
    );
    await engine.backfillIdle();
    assert.deepEqual(up.calls.history, [], 'nothing is fetched before the job runs');

    const run = await engine.jobs().trigger('nightly-backfill');
    assert.deepEqual([run.state, run.records, run.error], ['ok', 3, null]);
    assert.deepEqual(await engine.gaps('draws'), []);
    assert.deepEqual([...up.calls.history].sort(), [3, 4, 5]);
    const [backfill] = await engine.store.listBackfillRuns('draws', 1);
    assert.deepEqual([backfill?.trigger, backfill?.filled], ['manual', 3]);
    assert.equal((await engine.store.stats('draws')).records, 6);
  });

  it('a reconcile job rebuilds coverage from records another process stored', async () => {
    const dataset = { partition: { sequence: { start: 1 } } };
    const jobs = { reconcile: { kind: 'reconcile', schedule: { cron: '0 5 * * *' } } };
    const serving = engineFor('reconcile-job.db', dataset, jobs);
    await serving.open();
    await serving.ingest('draws', records(1, 2, 3));
    // Another process (a bulk import) stores 10; this process's coverage does not know it.
    const importer = engineFor('reconcile-job.db', dataset, {});
    await importer.open();
    await importer.ingest('draws', records(10));
    assert.deepEqual(await serving.gaps('draws'), []);
    assert.equal((await serving.status()).datasets[0]?.last, 3);

    const run = await serving.jobs().trigger('reconcile');
    assert.deepEqual([run.state, run.records], ['ok', 1], 'one gap found');
    assert.deepEqual(
      (await serving.gaps('draws')).map((g) => [g.from, g.to, g.count]),
      [[4, 9, 6]],
    );
    assert.equal((await serving.status()).datasets[0]?.last, 10);
  });
});

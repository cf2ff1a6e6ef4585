// A gaps check on a dataset with a backfill repair, through the engine as serve runs it: the keys a
// run lists are the keys a repair takes (`--keys` copied from a run), the repair queues exactly those
// partitions on the core's backfill, and once the backfill fetched them from the real upstream the
// check passes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ChecksWithRepairs, checksModule } from '../src/checks/checks-module.js';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { startTestUpstream, type TestUpstream } from './helpers/test-upstream.js';

const rec = (n: number) => ({ key: String(n), partition: n, payload: { issue: n } });

describe('a backfill repair of a gaps check', () => {
  const tmp = tempDir();
  let up: TestUpstream;
  let engine: Engine;
  let checks: ChecksWithRepairs;

  before(async () => {
    up = await startTestUpstream(Array.from({ length: 10 }, (_, i) => i + 1));
    const config = compileConfig(
      {
        store: { sqlite: join(tmp.dir, 'gapwarden.db') },
        server: { enabled: false },
        datasets: {
          draws: {
            partition: { sequence: { start: 1 } },
            sources: [
              {
                name: 'primary',
                type: 'http',
                baseUrl: up.url,
                byKey: { url: '/history', query: { issue: '${partition}' } },
                response: { records: 'data', key: 'issue' },
                retries: 0,
              },
            ],
          },
        },
        checks: { 'draws-gaps': { kind: 'gaps', dataset: 'draws', repair: { backfill: {} } } },
      },
      { env: {} },
    );
    engine = createEngine({ config, logger: silentLogger, pollMs: 50 });
    await engine.open();
    checks = engine.module(checksModule);
  });
  after(async () => {
    await engine?.stop();
    await up?.close();
    tmp.cleanup();
  });

  it('repairs the gaps a run listed, by the keys it listed, and the check then passes', async () => {
    await engine.ingest('draws', [1, 2, 3, 5, 6, 9, 10].map(rec));
    const run = await checks.run('draws-gaps', { trigger: 'manual' });
    assert.equal(run.findings, 3, 'partitions 4, 7 and 8 are missing');
    const keys = run.sample.map((f) => f.key);
    assert.deepEqual(keys, ['4', '7..8']);

    const preview = await checks.repairs.repair('draws-gaps', { dryRun: true, keys: ['4'] });
    assert.deepEqual(preview.notFindings, [], 'a key copied from the run is a finding of the repair');
    assert.deepEqual(
      preview.preview.map((p) => p.key),
      ['4'],
    );

    const report = await checks.repairs.repair('draws-gaps', { keys });
    assert.equal(report.status, 'done', report.error ?? '');
    assert.equal(report.counts.repaired, 2);

    await engine.start({ collect: false, backfill: true });
    await waitFor(
      async () => (await checks.run('draws-gaps', { trigger: 'manual' })).status === 'healthy',
      'the check to pass once the backfill fetched 4, 7 and 8',
      20_000,
    );
    assert.deepEqual(
      [...new Set(up.calls.history)].sort((a, b) => a - b),
      [4, 7, 8],
    );
  });
});

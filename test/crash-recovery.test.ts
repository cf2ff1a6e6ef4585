import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { exited, spawnCli } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { payloadOf, startTestUpstream, type TestUpstream } from './helpers/test-upstream.js';

const PERIODS = 120;

describe('crash recovery: kill -9 of serve mid-backfill', () => {
  let up: TestUpstream;
  let tmp: ReturnType<typeof tempDir>;

  before(async () => {
    up = await startTestUpstream(Array.from({ length: PERIODS }, (_, i) => i + 1));
    up.historyDelayMs = 40;
    tmp = tempDir();
  });
  after(async () => {
    await up.close();
    tmp.cleanup();
  });

  it('loses no stored record and no queued gap; the restarted process finishes with zero gaps', async () => {
    const config = join(tmp.dir, 'gapwarden.config.yaml');
    writeFileSync(
      config,
      `store: { sqlite: crash.db }
log: { level: info }
datasets:
  draws:
    partition: { sequence: { start: 1 } }
    sources:
      - name: primary
        type: http
        baseUrl: ${up.url}
        latest: { url: /latest }
        byKey: { url: /history, query: { issue: '\${partition}' } }
        response: { records: data, key: issue }
        timeoutMs: 2000
    collect: { schedule: '* * * * * *' }
    backfill: { concurrency: 2, ratePerSecond: 1000, retryInitial: 50ms, lease: 2s }
`,
    );
    const db = join(tmp.dir, 'crash.db');
    const count = async () => {
      const store = createSqliteStore({ path: db });
      try {
        await store.migrate();
        return (await store.stats('draws')).records;
      } catch {
        return 0;
      } finally {
        await store.close();
      }
    };

    const first = spawnCli(['serve', '--config', config, '--no-http']);
    await waitFor(async () => (await count()) >= 20, 'the first serve to backfill some partitions', 30_000);
    first.kill('SIGKILL');
    const killed = await exited(first);
    assert.equal(killed.signal, 'SIGKILL');
    const storedAtKill = await count();
    assert.ok(storedAtKill < PERIODS, `the backfill should still have been running (stored ${storedAtKill})`);

    const second = spawnCli(['serve', '--config', config, '--no-http']);
    await waitFor(async () => (await count()) === PERIODS, 'the restarted serve to fill every gap', 60_000);
    second.kill('SIGTERM');
    const stopped = await exited(second);
    assert.equal(stopped.code, 0, `serve should stop cleanly on SIGTERM:\n${second.output()}`);

    const store = createSqliteStore({ path: db });
    await store.migrate();
    const coverage = await store.loadCoverage('draws');
    assert.equal(coverage.size, PERIODS);
    assert.deepEqual(coverage.ranges(), [[0, PERIODS - 1]]);
    const rows = await store.recordsBetween('draws', 0, PERIODS);
    assert.equal(rows.length, PERIODS);
    for (const r of rows) assert.deepEqual(JSON.parse(r.payload), payloadOf(Number(r.key)));
    const queue = await store.countBackfillItems('draws');
    assert.deepEqual(queue, { pending: 0, running: 0, failed: 0 });
    await store.close();
  });
});

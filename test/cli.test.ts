import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';
import { startTestUpstream, type TestUpstream } from './helpers/test-upstream.js';

describe('CLI', () => {
  const tmp = tempDir('gapwarden-cli-');
  let up: TestUpstream;
  before(async () => {
    up = await startTestUpstream([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    up.absent.add(4);
  });
  after(async () => {
    await up.close();
    tmp.cleanup();
  });

  it('init writes a starter config that validates', async () => {
    const dir = join(tmp.dir, 'init');
    const res = await runCli(['init', '--dir', dir, '--yaml']);
    assert.equal(res.code, 0, res.stderr);
    // The config validates (an invalid one exits 2); status then finds no store, and creates none.
    const status = await runCli(['status', '--dir', dir, '--json']);
    assert.equal(status.code, 1, status.stderr);
    assert.equal(JSON.parse(status.stdout).error.code, 'STORE_MISSING');
    assert.equal(existsSync(join(dir, 'gapwarden.db')), false);
    const again = await runCli(['init', '--dir', dir, '--yaml']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already exists/);
  });

  it('a bad config exits 2 with the field path, what was expected and what was found', async () => {
    const file = join(tmp.dir, 'bad.yaml');
    writeFileSync(
      file,
      'datasets:\n  draws:\n    partition: { sequence: { step: -1 } }\n    onConflict: merge\n',
    );
    const res = await runCli(['status', '--config', file]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /datasets\.draws\.partition\.sequence\.step/);
    assert.match(
      res.stderr,
      /datasets\.draws\.onConflict: value not allowed \(expected one of "ignore", "update", found "merge"\)/,
    );
    const missing = await runCli(['status', '--dir', join(tmp.dir, 'nowhere')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /gapwarden init/);
  });

  it('backfill --dry-run over a 9e15-partition gap answers with ranges and counts', async () => {
    const file = join(tmp.dir, 'huge.yaml');
    writeFileSync(
      file,
      `store: { sqlite: huge.db }
datasets:
  draws:
    partition: { sequence: { start: 0, horizon: false } }
    sources:
      - { name: primary, type: http, baseUrl: '${up.url}', byKey: { url: /history, query: { issue: '\${partition}' } }, response: { records: data, key: issue }, retries: 0 }
`,
    );
    const { loadConfig } = await import('../src/config/load-config.js');
    const { createEngine } = await import('../src/engine/engine.js');
    const { silentLogger } = await import('../src/internal/logger.js');
    const engine = createEngine({ config: await loadConfig({ config: file }), logger: silentLogger });
    await engine.open();
    await engine.ingest(
      'draws',
      [0, 9e15].map((p) => ({ key: String(p), partition: p, payload: {} })),
    );
    await engine.stop();

    const dry = await runCli(['backfill', 'draws', '--config', file, '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout);
    assert.deepEqual(
      [plan.partitions, plan.queueNow, plan.gapCount, plan.gaps],
      [
        8_999_999_999_999_999,
        10_000,
        1,
        [{ from: 1, to: 8_999_999_999_999_999, count: 8_999_999_999_999_999 }],
      ],
    );
    const text = await runCli(['backfill', 'draws', '--config', file, '--dry-run']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /would fetch 8999999999999999 partition\(s\) in 1 gap\(s\), queueing 10000 at once/,
    );
  });

  it('check exits 1 and says UNHEALTHY while a dataset is unhealthy', async () => {
    const file = join(tmp.dir, 'stale.yaml');
    writeFileSync(
      file,
      `store: { sqlite: stale.db }
datasets:
  draws:
    partition: { sequence: { start: 1 } }
    freshness: { errorAfter: 1h }
`,
    );
    // The last record was stored two hours ago.
    const { loadConfig } = await import('../src/config/load-config.js');
    const { createEngine } = await import('../src/engine/engine.js');
    const { createManualClock } = await import('../src/internal/clock.js');
    const { silentLogger } = await import('../src/internal/logger.js');
    const engine = createEngine({
      config: await loadConfig({ config: file }),
      clock: createManualClock(Date.now() - 2 * 3_600_000),
      logger: silentLogger,
    });
    await engine.open();
    await engine.ingest('draws', [{ key: '1', partition: 1, payload: {} }]);
    await engine.stop();

    const json = await runCli(['check', '--config', file, '--json']);
    assert.equal(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout);
    assert.equal(report.healthy, false);
    assert.deepEqual([report.datasets[0].status, report.datasets[0].freshness], ['unhealthy', 'error']);
    assert.match(report.datasets[0].reasons[0], /^no new record for 2h \(error after 1h\)$/);
    const text = await runCli(['check', '--config', file]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /UNHEALTHY\n$/);
  });

  it('gaps, backfill --dry-run, backfill and check work against a store', async () => {
    const file = join(tmp.dir, 'gapwarden.config.yaml');
    writeFileSync(
      file,
      `store: { sqlite: work.db }
datasets:
  draws:
    partition: { sequence: { start: 1 } }
    sources:
      - { name: primary, type: http, baseUrl: '${up.url}', latest: { url: /latest }, byKey: { url: /history, query: { issue: '\${partition}' } }, response: { records: data, key: issue }, retries: 0 }
    backfill: { retryInitial: 10ms, maxAttempts: 2 }
`,
    );
    // Seed 1, 2 and 10 through the library, as a push would.
    const { loadConfig } = await import('../src/config/load-config.js');
    const { createEngine } = await import('../src/engine/engine.js');
    const { silentLogger } = await import('../src/internal/logger.js');
    const engine = createEngine({ config: await loadConfig({ config: file }), logger: silentLogger });
    await engine.open();
    await engine.ingest(
      'draws',
      [1, 2, 10].map((p) => ({ key: String(p), partition: p, payload: { issue: p } })),
    );
    await engine.stop();

    const gaps = JSON.parse((await runCli(['gaps', 'draws', '--config', file, '--json'])).stdout);
    assert.deepEqual(
      gaps.gaps.map((g: { from: number; to: number; count: number }) => [g.from, g.to, g.count]),
      [[3, 9, 7]],
    );

    const check = await runCli(['check', '--config', file, '--json']);
    assert.equal(check.code, 0, 'open gaps alone make a dataset degraded, not unhealthy');
    assert.equal(JSON.parse(check.stdout).datasets[0].status, 'degraded');

    const dry = await runCli([
      'backfill',
      'draws',
      '--config',
      file,
      '--from',
      '5',
      '--to',
      '7',
      '--dry-run',
      '--json',
    ]);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(JSON.parse(dry.stdout).partitions, 3);
    assert.deepEqual(up.calls.history, [], 'a dry run must not call the source');

    const run = await runCli(['backfill', 'draws', '--config', file, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual([report.requested, report.filled, report.notFound, report.failed], [7, 6, 1, 0]);

    const after = JSON.parse((await runCli(['status', '--config', file, '--json'])).stdout).datasets[0];
    assert.equal(after.openGaps, 0);
    assert.equal(after.knownMissing, 1);
    assert.equal(after.records, 9);

    const unknown = await runCli(['gaps', 'nope', '--config', file]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown dataset "nope" \(configured: draws\)/);
  });
});

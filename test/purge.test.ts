// An operator repairs what a bad record or a premature "not found" left in the
// store: records deleted and known-missing marks cleared for a range, through
// the HTTP API (token-guarded) and the CLI, recorded, with coverage reloaded so
// the gaps reappear and are backfilled. Real store (SQLite and PostgreSQL),
// real upstream, the real CLI in a child process.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { runCli } from './helpers/cli.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { payloadOf, startTestUpstream, type TestUpstream, upstreamSource } from './helpers/test-upstream.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json' };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const T0 = Date.now();
const BAD = 9_000_000_000;

for (const adapter of STORE_ADAPTERS) {
  describe(`purge: records and known-missing marks of a range (${adapter.name})`, {
    skip: adapter.skip,
  }, () => {
    let up: TestUpstream;
    let tmp: ReturnType<typeof tempDir>;
    let locator: string;
    let engines: Engine[] = [];

    before(async () => {
      up = await startTestUpstream(range(1, 14));
      tmp = tempDir('gapwarden-purge-');
    });
    after(async () => {
      await up.close();
      tmp.cleanup();
    });
    afterEach(async () => {
      for (const e of engines) await e.stop().catch(() => {});
      engines = [];
      await adapter.dropDatabase(locator);
    });

    const storeConfig = () => (adapter.name === 'sqlite' ? { sqlite: locator } : { postgres: locator });
    const dataset = () => ({
      partition: { sequence: { start: 1 } },
      sources: [upstreamSource('primary', up.url)],
      backfill: { retryInitial: '20ms', ratePerSecond: 1000 },
    });

    /**
     * The store as an earlier gapwarden left it: 1..10 and 14 stored, 11..13 marked
     * known missing (asked for before the source had published them), and a record
     * at partition 9,000,000,000 that opened a gap of billions.
     */
    async function damagedStore() {
      locator = await adapter.createDatabase();
      const store = await adapter.open(locator);
      await store.migrate();
      await store.ensureDataset('draws');
      const row = (p: number) => ({
        key: String(p),
        ordinal: p - 1,
        payload: JSON.stringify(payloadOf(p)),
        source: 'primary',
      });
      await store.ingest('draws', [...range(1, 10), 14, BAD].map(row), 'ignore', T0);
      await store.addKnownMissing('draws', [10, 11, 12], 'source confirmed not found', T0);
      await store.close();
    }

    function engineOnStore() {
      const config = compileConfig(
        { store: storeConfig(), server: { token: TOKEN }, datasets: { draws: dataset() } },
        { env: {} },
      );
      const engine = createEngine({ config, logger: silentLogger, pollMs: 50 });
      engines.push(engine);
      return { engine, app: createApp({ engine, server: config.server, version: '0.0.0-test' }) };
    }

    it('over the API: refuses without the token, dry-runs, purges, records it, and backfills the gaps that reappear', async () => {
      await damagedStore();
      const { engine, app } = engineOnStore();
      await engine.start({ collect: false, backfill: true, queueOpenGaps: false });
      const [before] = (await engine.status()).datasets;
      assert.equal(before?.status, 'degraded');
      assert.equal(before?.missingPartitions, BAD - 15);

      const purge = (body: unknown, headers: Record<string, string> = { ...json, ...auth }) =>
        app.request('/api/datasets/draws/purge', { method: 'POST', headers, body: JSON.stringify(body) });
      const anonymous = await purge({ from: 15, to: BAD, records: true }, json);
      assert.equal(anonymous.status, 401);
      assert.equal((await engine.store.stats('draws')).records, 12);

      const dry = await purge({ from: 15, to: BAD, records: true, dryRun: true });
      assert.equal(dry.status, 200);
      const dryReport = ((await dry.json()) as { purge: Record<string, unknown> }).purge;
      assert.deepEqual([dryReport.id, dryReport.records, dryReport.dryRun], [null, 1, true]);
      assert.equal((await engine.store.stats('draws')).records, 12);

      const nothing = await purge({ from: 15, to: BAD });
      assert.equal(nothing.status, 400);
      assert.match(
        ((await nothing.json()) as { error: { message: string } }).error.message,
        /say what to purge/,
      );

      const bad = await purge({ from: 15, to: BAD, records: true });
      assert.equal(bad.status, 200);
      const report = ((await bad.json()) as { purge: Record<string, unknown> }).purge;
      assert.deepEqual(
        [report.from, report.to, report.records, report.knownMissing, report.by, report.dryRun],
        [15, BAD, 1, 0, 'api', false],
      );
      const [afterBad] = (await engine.status()).datasets;
      assert.deepEqual([afterBad?.status, afterBad?.last, afterBad?.missingPartitions], ['healthy', 14, 0]);

      const known = await purge({ from: 11, to: 13, knownMissing: true });
      assert.equal(known.status, 200);
      assert.equal(((await known.json()) as { purge: { knownMissing: number } }).purge.knownMissing, 3);
      await waitFor(
        async () => (await engine.gaps('draws')).length === 0,
        'the reappeared gap to be backfilled',
      );
      assert.deepEqual(
        (await engine.store.recordsBetween('draws', 10, 12)).map((r) => [r.key, r.source]),
        [
          ['11', 'primary'],
          ['12', 'primary'],
          ['13', 'primary'],
        ],
      );
      assert.equal((await engine.store.loadKnownMissing('draws')).size, 0);

      const audit = await app.request('/api/datasets/draws/purges');
      assert.equal(audit.status, 200);
      const { purges } = (await audit.json()) as {
        purges: {
          fromOrdinal: number;
          toOrdinal: number;
          records: number;
          knownMissing: number;
          by: string;
        }[];
      };
      assert.deepEqual(
        purges.map((p) => [p.fromOrdinal, p.toOrdinal, p.records, p.knownMissing, p.by]),
        [
          [10, 12, 0, 3, 'api'],
          [14, BAD - 1, 1, 0, 'api'],
        ],
      );
    });

    it('with the CLI beside a running engine: purges, records it, and the running engine reloads and backfills', async () => {
      await damagedStore();
      const { engine } = engineOnStore(); // as `serve` would be
      await engine.start({ collect: false, backfill: true, queueOpenGaps: false });
      const file = join(tmp.dir, `${adapter.name}.config.yaml`);
      // JSON is YAML too.
      writeFileSync(file, JSON.stringify({ store: storeConfig(), datasets: { draws: dataset() } }));
      // The test runner silences logs; the purge's log line is part of what is checked here.
      const cli = (...args: string[]) =>
        runCli(['purge', 'draws', '--config', file, ...args], { env: { GAPWARDEN_LOG_LEVEL: 'info' } });

      const refused = await cli('--from', '15', '--records');
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /needs both ends of its range/);

      const dry = await cli('--from', '15', '--to', String(BAD), '--records', '--dry-run');
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /draws 15 \.\. 9000000000: would remove 1 record\(s\), 0 known-missing/);

      const res = await cli('--from', '15', '--to', String(BAD), '--records', '--json');
      assert.equal(res.code, 0, res.stderr);
      const report = JSON.parse(res.stdout);
      assert.deepEqual([report.records, report.by, report.dryRun], [1, 'cli', false]);
      assert.match(res.stderr, /"msg":"partitions purged"/);

      const text = await cli('--from', '11', '--to', '13', '--known-missing');
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /removed 0 record\(s\), 3 known-missing mark\(s\)/);
      assert.match(text.stdout, /3 partition\(s\) in 1 gap\(s\) of the range are open again/);

      // The running engine notices the purges when it next reports status, reloads and backfills.
      await engine.status();
      await waitFor(
        async () => (await engine.status()).datasets[0]?.records === 14,
        'the engine to backfill 11..13',
      );
      const [status] = (await engine.status()).datasets;
      assert.deepEqual([status?.status, status?.last, status?.knownMissing], ['healthy', 14, 0]);
      const purges = await engine.store.listPurges('draws', 10);
      assert.deepEqual(
        purges.map((p) => [p.records, p.knownMissing, p.by]),
        [
          [0, 3, 'cli'],
          [1, 0, 'cli'],
        ],
      );
    });
  });
}

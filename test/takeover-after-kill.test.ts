import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jobStorePart } from '../src/scheduler/store/job-store-part.js';
import type { Store } from '../src/store/store.js';
import { exited, spawnCli } from './helpers/cli.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { payloadOf, startTestUpstream, type TestUpstream } from './helpers/test-upstream.js';

/** Every 10 s: far enough apart that the restarted process is up, and has run the taken-over run again, before the next due time. */
const COLLECT_EVERY_MS = 10_000;
/** The backfill's partitions; the lease (60 s by default) is far longer than the whole test. */
const PERIODS = 30;

/**
 * `serve` killed with SIGKILL and restarted at once on the same machine: the
 * dead process's leases are taken over at once (its holder id proves it gone),
 * not after the job lease (30 s) or the backfill lease (60 s).
 */
for (const adapter of STORE_ADAPTERS) {
  describe(`takeover after kill -9 (${adapter.name})`, { skip: adapter.skip }, () => {
    let up: TestUpstream;
    let tmp: ReturnType<typeof tempDir>;
    const opened: { locator: string; store?: Store }[] = [];

    before(async () => {
      tmp = tempDir();
    });
    after(async () => {
      await up?.close();
      for (const o of opened) {
        await o.store?.close();
        await adapter.dropDatabase(o.locator);
      }
      tmp?.cleanup();
    });

    /** A fresh database, a config on it, and a reader the test opens once the first serve created it. */
    const setUp = async (yaml: (url: string) => string, name: string) => {
      const o: { locator: string; store?: Store } = { locator: await adapter.createDatabase() };
      opened.push(o);
      const config = join(tmp.dir, `${name}.config.yaml`);
      writeFileSync(
        config,
        `store: { ${adapter.name}: '\${env:GW_TEST_STORE}' }
log: { level: info }
${yaml(up.url)}`,
      );
      // The test runner silences child logs (GAPWARDEN_LOG_LEVEL=silent); this test reads them.
      const serve = () =>
        spawnCli(['serve', '--config', config, '--no-http'], {
          GW_TEST_STORE: o.locator,
          GAPWARDEN_LOG_LEVEL: 'info',
        });
      const store = async () => {
        if (!o.store) {
          const s = await adapter.open(o.locator);
          await s.migrate();
          o.store = s;
        }
        return o.store;
      };
      return { serve, store };
    };

    it('(a) kill -9 during a collect run: the restarted serve runs the next due collect on time', async (t) => {
      up = await startTestUpstream([1, 2, 3]);
      up.latestDelayMs = 2_000; // the collect run is in flight for 2 s
      const { serve, store } = await setUp(
        (url) => `datasets:
  draws:
    partition: { sequence: { start: 1 } }
    sources:
      - name: primary
        type: http
        baseUrl: ${url}
        latest: { url: /latest }
        byKey: { url: /history, query: { issue: '\${partition}' } }
        response: { records: data, key: issue }
        timeoutMs: 10000
    collect: { schedule: '*/10 * * * * *' }
`,
        'collect',
      );

      const first = serve();
      const spawnedAt = Date.now();
      await waitFor(
        () => up.calls.latestAt.some((at) => at >= spawnedAt),
        'the first serve to start a collect run',
        20_000,
      );
      await new Promise((r) => setTimeout(r, 200));
      first.kill('SIGKILL');
      assert.equal((await exited(first)).signal, 'SIGKILL');
      const second = serve();
      const restartedAt = Date.now();
      try {
        // The first due time the restarted process is surely up for and done with the taken-over run
        // (start-up takes well under 2 s, the run 2 s).
        const dueAt = Math.ceil((restartedAt + 5_000) / COLLECT_EVERY_MS) * COLLECT_EVERY_MS;
        const jobs = (await store()).part(jobStorePart);
        const runAt = async () =>
          (await jobs.listJobRuns('collect:draws', { limit: 50 })).find((r) => r.dueAt === dueAt);
        // Runs are claimed (and stored) a little ahead of their due time: the upstream call is the start.
        await waitFor(
          () => up.calls.latestAt.some((at) => at >= dueAt) || Date.now() > dueAt + 8_000,
          `the collect due at ${new Date(dueAt).toISOString()} to ask the upstream`,
          30_000,
        );
        const run = await runAt();
        assert.ok(run, `no run due at ${dueAt} was recorded`);
        const askedAt = up.calls.latestAt.find((at) => at >= dueAt);
        t.diagnostic(
          `run due ${new Date(dueAt).toISOString()}: ${run.state}; ` +
            `/latest asked ${askedAt === undefined ? 'never' : `${askedAt - dueAt} ms`} after its due time; ` +
            `restart to due time ${dueAt - restartedAt} ms`,
        );
        assert.notEqual(run.state, 'skipped', `the due run was skipped: ${run.detail}\n${second.output()}`);
        assert.ok(askedAt !== undefined && askedAt - dueAt < 2_000, 'the upstream was asked on time');

        // The dead process's run was taken over at the restart and run again (attempt 2), said so in the log.
        const history = await jobs.listJobRuns('collect:draws', { limit: 50 });
        const taken = history.filter((r) => r.attempt === 2);
        assert.equal(taken.length, 1, JSON.stringify(history, null, 1));
        assert.equal(taken[0]?.state, 'ok');
        assert.equal(history.filter((r) => r.state === 'running' && r.dueAt < dueAt).length, 0);
        const rerunAt = up.calls.latestAt.find((at) => at >= restartedAt);
        t.diagnostic(
          `the killed run asked the upstream again ${rerunAt! - restartedAt} ms after the restart`,
        );
        assert.ok(rerunAt! - restartedAt < 8_000, 'well under the 30 s job lease');
      } finally {
        second.kill('SIGTERM');
        await exited(second);
      }
      // Read once it exited: the logger writes asynchronously.
      assert.match(second.output(), /taking over a job run whose holder is gone/);
    });

    it('(b) kill -9 mid-backfill: the partitions it had claimed are fetched again at once, each stored once', async (t) => {
      await up?.close();
      up = await startTestUpstream(Array.from({ length: PERIODS }, (_, i) => i + 1));
      up.historyDelayMs = 1_500; // four requests in flight at any time
      const { serve, store } = await setUp(
        (url) => `datasets:
  draws:
    partition: { sequence: { start: 1 } }
    sources:
      - name: primary
        type: http
        baseUrl: ${url}
        latest: { url: /latest }
        byKey: { url: /history, query: { issue: '\${partition}' } }
        response: { records: data, key: issue }
        timeoutMs: 10000
    collect: { schedule: '* * * * * *' }
    backfill: { concurrency: 4, ratePerSecond: 1000 }
`,
        'backfill',
      );
      const stored = async () => {
        const s = await store();
        await s.ensureDataset('draws');
        return (await s.stats('draws')).records;
      };

      const first = serve();
      await waitFor(() => up.calls.historyLog.length > 0, 'the first serve to start the backfill', 20_000);
      await waitFor(async () => (await stored()) >= 6, 'the first serve to store a few partitions', 20_000);
      first.kill('SIGKILL');
      assert.equal((await exited(first)).signal, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 100)); // requests the dead process sent last reach the upstream
      // In flight at the kill: asked by the dead process, not stored by it.
      const storedKeys = new Set(
        (await (await store()).recordsBetween('draws', 0, PERIODS)).map((r) => r.key),
      );
      const inFlight = new Set(
        up.calls.historyLog.map((c) => c.issue).filter((issue) => !storedKeys.has(String(issue))),
      );
      assert.ok(inFlight.size > 0, 'requests were in flight at the kill');
      assert.ok(
        storedKeys.size < PERIODS,
        `the backfill should still have been running (stored ${storedKeys.size})`,
      );

      const second = serve();
      const restartedAt = Date.now();
      try {
        await waitFor(
          async () => (await stored()) === PERIODS,
          'the restarted serve to fill every gap',
          30_000,
        );
      } finally {
        second.kill('SIGTERM');
        await exited(second);
      }

      // Each partition the dead process had in flight was asked again soon after the restart.
      const again = [...inFlight].map((issue) => {
        const call = up.calls.historyLog.find((c) => c.issue === issue && c.at >= restartedAt);
        return { issue, afterRestartMs: call ? call.at - restartedAt : undefined };
      });
      t.diagnostic(`in flight at the kill, asked again after the restart (ms): ${JSON.stringify(again)}`);
      for (const { issue, afterRestartMs } of again) {
        assert.ok(
          afterRestartMs !== undefined && afterRestartMs < 10_000,
          `partition ${issue} was asked again ${afterRestartMs} ms after the restart\n${second.output()}`,
        );
      }
      // Nothing fetched twice beyond what the dead process had in flight.
      const asks = new Map<number, number>();
      for (const c of up.calls.historyLog) asks.set(c.issue, (asks.get(c.issue) ?? 0) + 1);
      const twice = [...asks].filter(([, n]) => n > 1);
      for (const [issue, n] of twice) {
        assert.ok(inFlight.has(issue) && n === 2, `partition ${issue} was asked ${n} times`);
      }

      // Everything stored exactly once, nothing left queued.
      const s = await store();
      const rows = await s.recordsBetween('draws', 0, PERIODS);
      assert.equal(rows.length, PERIODS);
      for (const r of rows) assert.deepEqual(JSON.parse(r.payload), payloadOf(Number(r.key)));
      assert.deepEqual((await s.loadCoverage('draws')).ranges(), [[0, PERIODS - 1]]);
      assert.deepEqual(await s.countBackfillItems('draws'), { pending: 0, running: 0, failed: 0 });
    });
  });
}

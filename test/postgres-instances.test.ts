// Three real `serve --no-http` processes on one fresh PostgreSQL database,
// collecting from one real HTTP upstream whose `latest` endpoint skips
// periods: every due run of the collect job runs once between them, every gap
// is fetched from the history endpoint once, no record is stored twice; after
// kill -9 of one of them mid-backfill the other two finish the backfill and
// stop cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobRun } from '../src/scheduler/store/job-store.js';
import { jobStorePart } from '../src/scheduler/store/job-store-part.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';
import { exited, spawnCli } from './helpers/cli.js';
import { storeAdapter } from './helpers/store-adapters.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import {
  type HistoryCall,
  payloadOf,
  startTestUpstream,
  type TestUpstream,
} from './helpers/test-upstream.js';

const pg = storeAdapter('postgres');
const INSTANCES = ['a', 'b', 'c'] as const;
/** Partitions the upstream skips at once before the kill: the backfill that outlives one instance. */
const BIG_GAP = 300;

describe('three serve processes on one PostgreSQL database', { skip: pg.skip }, () => {
  let up: TestUpstream;
  let tmp: ReturnType<typeof tempDir>;
  let url: string;
  let config: string;

  before(async () => {
    up = await startTestUpstream(Array.from({ length: 2_000 }, (_, i) => i + 1));
    up.latest = 1;
    up.historyDelayMs = 40;
    tmp = tempDir();
    url = await pg.createDatabase();
    config = join(tmp.dir, 'gapwarden.config.yaml');
    // Each process names itself in every upstream call (`who`), so the upstream can tell who asked.
    writeFileSync(
      config,
      `store: { postgres: '\${env:GW_TEST_STORE}' }
log: { level: warn }
scheduler: { leaseTtl: 3s, shutdownGrace: 5s }
datasets:
  draws:
    partition: { sequence: { start: 1 } }
    sources:
      - name: primary
        type: http
        baseUrl: ${up.url}
        latest: { url: /latest, query: { who: '\${env:GW_INSTANCE}' } }
        byKey: { url: /history, query: { issue: '\${partition}', who: '\${env:GW_INSTANCE}' } }
        response: { records: data, key: issue }
        timeoutMs: 5000
        retries: 0
    collect: { schedule: '* * * * * *' }
    backfill: { concurrency: 2, ratePerSecond: 1000, retryInitial: 50ms, lease: 3s }
`,
    );
  });
  after(async () => {
    await up?.close();
    tmp?.cleanup();
    if (url) await pg.dropDatabase(url);
  });

  const withStore = async <T>(fn: (store: Store) => Promise<T>): Promise<T> => {
    const store = createPostgresStore({ url, poolSize: 2 });
    try {
      // Idempotent, under an advisory lock: safe beside the instances migrating at their start.
      await store.migrate();
      return await fn(store);
    } finally {
      await store.close();
    }
  };
  const collectRuns = () =>
    withStore(async (s) =>
      (await s.part(jobStorePart).listJobRuns('collect:draws', { limit: 10_000 })).reverse(),
    );
  const queued = () =>
    withStore(async (s) => {
      await s.ensureDataset('draws');
      const q = await s.countBackfillItems('draws');
      return q.pending + q.running;
    });

  it('share the collect runs and the backfill, and finish a killed instance’s backfill', async (t) => {
    const started = Date.now();
    const procs = new Map(
      INSTANCES.map((who) => [
        who,
        spawnCli(['serve', '--config', config, '--no-http'], {
          GW_TEST_STORE: url,
          GW_INSTANCE: who,
          GAPWARDEN_LOG_LEVEL: 'warn',
        }),
      ]),
    );
    const output = () => [...procs].map(([who, p]) => `--- ${who}:\n${p.output()}`).join('\n');
    // The upstream draws a period every 600 ms; every fourth step skips two. Collecting once a
    // second sees only some of them: the rest open gaps at insert time.
    let step = 0;
    const ticker = setInterval(() => {
      step++;
      up.latest! += step % 4 === 0 ? 3 : 1;
    }, 600);
    let killed: 'a' | 'b' | 'c' | undefined;
    let killedAt = 0;
    try {
      await waitFor(
        async () => (await collectRuns()).filter((r) => r.state === 'ok').length >= 10,
        '10 collect runs',
        30_000,
      );
      clearInterval(ticker);
      await waitFor(async () => (await queued()) === 0, 'the small gaps to be filled', 15_000);
      const phaseOneHistory = up.calls.historyLog.length;

      // One big jump: the next collect opens a gap of BIG_GAP - 1 partitions.
      up.latest! += BIG_GAP;
      await waitFor(
        () => up.calls.historyLog.length - phaseOneHistory >= 60,
        'the big backfill to be under way',
        20_000,
      );
      assert.ok((await queued()) > 20, 'the backfill should still be running at the kill');
      // Kill an instance with a request in flight: the upstream holds each answer 40 ms, and the
      // kill follows in the same tick, so that partition cannot have been stored and must be taken over.
      await waitFor(() => up.calls.historyLog.some((c) => c.status === undefined), 'a request in flight');
      const inFlight = up.calls.historyLog.filter((c) => c.status === undefined);
      killed = inFlight.at(-1)!.who as 'a' | 'b' | 'c';
      procs.get(killed)!.kill('SIGKILL');
      killedAt = Date.now();
      assert.equal((await exited(procs.get(killed)!)).signal, 'SIGKILL');
      await waitFor(async () => (await queued()) === 0, 'the other two to finish the backfill', 30_000);
    } catch (err) {
      clearInterval(ticker);
      for (const p of procs.values()) p.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n${output()}`);
    }
    const finishedAfterKillMs = Date.now() - killedAt;

    const survivors = INSTANCES.filter((w) => w !== killed);
    for (const who of survivors) procs.get(who)!.kill('SIGTERM');
    for (const who of survivors) {
      const res = await exited(procs.get(who)!);
      assert.equal(res.code, 0, `${who} should stop cleanly on SIGTERM:\n${output()}`);
    }

    // Every due run of collect:draws ran once, consecutive, each ok (until the kill; after it,
    // a run the dead process held is taken over or skipped, never run twice).
    const runs = (await collectRuns()).filter((r) => r.trigger !== 'manual');
    const dues = runs.map((r) => r.dueAt);
    assert.equal(new Set(dues).size, dues.length, 'no due time of collect:draws ran twice');
    for (let i = 1; i < dues.length; i++)
      assert.equal(dues[i]! - dues[i - 1]!, 1000, `a due time was skipped after ${dues[i - 1]}`);
    const beforeKill = runs.filter((r) => r.startedAt < killedAt);
    // A run that outlasts the 1 s interval (three processes starting at once on a loaded machine)
    // makes the next due time skip — the documented overlap policy, recorded with the live holder.
    const overlapped = (r: JobRun) =>
      r.state === 'skipped' && /^previous run still running \(held by /.test(r.detail ?? '');
    const notOk = (rs: JobRun[]) => rs.filter((r) => r.state !== 'ok' && !overlapped(r));
    assert.deepEqual(notOk(beforeKill), [], 'every collect run before the kill succeeded or overlapped');
    assert.ok(
      beforeKill.filter(overlapped).length <= 2,
      `collect runs overlapped ${beforeKill.filter(overlapped).length} times before the kill`,
    );
    const holders = new Set(runs.map((r) => r.holder?.split(':')[1]));
    assert.ok(holders.size >= 2, `the collect runs should be shared, ran in ${[...holders]}`);

    // Stored: every period 1..max exactly once, payloads as the upstream serves them.
    const max = Math.max(...up.calls.latestServed);
    const { coverage, rows, queue } = await withStore(async (s) => ({
      coverage: await s.loadCoverage('draws'),
      rows: await s.recordsBetween('draws', 0, max + 10),
      queue: await s.countBackfillItems('draws'),
    }));
    assert.deepEqual(coverage.ranges(), [[0, max - 1]], 'zero gaps');
    assert.equal(rows.length, max, 'no record stored twice');
    assert.equal(new Set(rows.map((r) => r.key)).size, max);
    for (const r of rows) assert.deepEqual(JSON.parse(r.payload), payloadOf(Number(r.key)));
    assert.deepEqual(queue, { pending: 0, running: 0, failed: 0 });

    // The history endpoint was asked for exactly the periods `latest` never showed, each once;
    // a repeat only after a failed request or one answered to the instance that was killed.
    const collected = new Set(up.calls.latestServed);
    const missing = Array.from({ length: max }, (_, i) => i + 1).filter((p) => !collected.has(p));
    const byIssue = new Map<number, HistoryCall[]>();
    for (const c of up.calls.historyLog) byIssue.set(c.issue, [...(byIssue.get(c.issue) ?? []), c]);
    // The backfill never asked `latest` how far the source had got: the store knew it from
    // the collect runs of whichever instance ran them (a probe's answer is not stored, so the
    // period it showed would be fetched from history again).
    assert.ok(
      up.calls.latest <= runs.length,
      `${up.calls.latest} calls to latest for ${runs.length} collect runs: the backfill probed the source`,
    );
    const extra = [...byIssue.keys()].filter((p) => collected.has(p));
    assert.deepEqual(extra, [], 'periods that were never missing were fetched from history');
    const unfetched = missing.filter((p) => !byIssue.has(p));
    assert.deepEqual(unfetched, [], 'missing periods never fetched');
    const repeated = [...byIssue].filter(([, calls]) => calls.length > 1);
    const unexplained = repeated.filter(([, calls]) =>
      calls.slice(0, -1).some((c) => c.delivered && c.who !== killed),
    );
    assert.deepEqual(unexplained, [], 'a period fetched twice although its first answer was delivered');
    // The partitions the dead process held are fetched again once their lease (3 s) ends.
    const retakenAt = repeated.map(([, calls]) => calls.at(-1)!.at).filter((at) => at > killedAt);
    assert.ok(retakenAt.length > 0, 'the partition in flight at the kill was fetched again');
    const takeOverMs = Math.min(...retakenAt) - killedAt;
    assert.ok(takeOverMs < 8_000, `took over after ${takeOverMs} ms`);

    const spread = Object.fromEntries(
      INSTANCES.map((w) => [w, up.calls.historyLog.filter((c) => c.who === w).length]),
    );
    for (const who of survivors) assert.ok(spread[who]! > 0, `${who} took no part in the backfill`);
    t.diagnostic(
      `${runs.length} collect runs (holders ${[...holders].length}), ${missing.length} missing periods, ` +
        `${up.calls.historyLog.length} history calls ${JSON.stringify(spread)}, ${repeated.length} repeated, ` +
        `killed ${killed}; its partitions taken over after ${takeOverMs} ms; the rest finished ${finishedAfterKillMs} ms after the kill; ${Date.now() - started} ms in all`,
    );
  });
});

// PostgreSQL restarts (and a 1.5 s outage) while `serve` ingests a steady
// pushed stream lose nothing and refuse nothing: every push is acknowledged
// (the store retries within its window, COMMITs included), every acknowledged
// record is stored exactly once, /ready answers 503 while the server is away
// and 200 once it is back, and
// the gaps the stream left are filled from the upstream afterwards. The
// server restarted is a private cluster of this test, never the shared one.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import { exited, spawnCli } from './helpers/cli.js';
import {
  type PrivatePostgres,
  privatePostgresSkip,
  startPrivatePostgres,
} from './helpers/private-postgres.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { payloadOf, startTestUpstream, type TestUpstream } from './helpers/test-upstream.js';

const TOKEN = 'restart-test-token-0123456789';
/** Every this-many-th period is never pushed: the stream's gaps, filled by backfill from the upstream. */
const WITHHELD_EVERY = 25;
const BATCH = 10;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a PostgreSQL restart during ingest', { skip: privatePostgresSkip }, () => {
  let pg: PrivatePostgres;
  let up: TestUpstream;
  let tmp: ReturnType<typeof tempDir>;

  before(async () => {
    pg = await startPrivatePostgres();
    up = await startTestUpstream(Array.from({ length: 10_000 }, (_, i) => i + 1));
    tmp = tempDir();
  });
  after(async () => {
    await pg?.destroy();
    await up?.close();
    tmp?.cleanup();
  });

  it('loses no acknowledged record; readiness drops and recovers; gaps close', async (t) => {
    const port = await freePort();
    const config = join(tmp.dir, 'gapwarden.config.yaml');
    writeFileSync(
      config,
      `store: { postgres: '\${env:GW_TEST_STORE}', poolSize: 4 }
log: { level: warn }
server: { host: 127.0.0.1, port: ${port}, token: '\${env:GW_TOKEN}' }
datasets:
  stream:
    partition: { sequence: { start: 1 } }
    sources:
      - name: archive
        type: http
        baseUrl: ${up.url}
        latest: { url: /latest }
        byKey: { url: /history, query: { issue: '\${partition}' } }
        response: { records: data, key: issue }
        timeoutMs: 2000
        retries: 0
    backfill: { concurrency: 2, ratePerSecond: 1000, retryInitial: 100ms, retryMax: 1s, maxAttempts: 30, lease: 5s }
`,
    );
    const serve = spawnCli(['serve', '--config', config], {
      GW_TEST_STORE: pg.url,
      GW_TOKEN: TOKEN,
      GAPWARDEN_LOG_LEVEL: 'warn',
    });
    const base = `http://127.0.0.1:${port}`;
    const fail = (what: string) =>
      new Error(`${what}\n--- serve:\n${serve.output()}\n--- PostgreSQL log:\n${pg.log()}`);

    const readiness: { at: number; ready: boolean }[] = [];
    const ready = async () => {
      try {
        const res = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(2_000) });
        return res.status === 200;
      } catch {
        return false;
      }
    };
    await waitFor(ready, 'serve to be ready', 30_000).catch(() => {
      throw fail('serve did not become ready');
    });

    // The stream: batches of BATCH periods, one every 40 ms; a batch that is not acknowledged
    // (an error status or a lost connection) is sent again, as a client of a push API would.
    const acknowledged = new Set<number>();
    let batches = 0;
    let resent = 0;
    /** Pushes answered with an error status: the docs promise none while a restart stays within the retry budget. */
    const refused: string[] = [];
    let resentFoundStored = 0;
    let slowestPushMs = 0;
    let next = 1;
    let pushing = true;
    const push = async (periods: number[]) => {
      const body = JSON.stringify(
        periods.map((p) => ({ key: String(p), partition: p, payload: payloadOf(p) })),
      );
      const sent = Date.now();
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await fetch(`${base}/api/datasets/stream/records`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(20_000),
          });
          const answer = (await res.json()) as { inserted: number; duplicate: number; rejected: number };
          if (res.status === 200) {
            assert.equal(answer.rejected, 0);
            if (attempt > 1 && answer.duplicate > 0) resentFoundStored++;
            for (const p of periods) acknowledged.add(p);
            slowestPushMs = Math.max(slowestPushMs, Date.now() - sent);
            return;
          }
          refused.push(`${res.status} ${JSON.stringify(answer)}`);
        } catch {}
        resent++;
        await sleep(100);
      }
    };
    const pusher = (async () => {
      while (pushing) {
        const periods: number[] = [];
        for (; periods.length < BATCH; next++) if (next % WITHHELD_EVERY !== 0) periods.push(next);
        batches++;
        await push(periods);
        await sleep(40);
      }
    })();
    const watcher = (async () => {
      while (pushing) {
        readiness.push({ at: Date.now(), ready: await ready() });
        await sleep(25);
      }
    })();

    let restartMs = 0;
    let restartedAt = 0;
    const outages: string[] = [];
    try {
      await sleep(2_000);
      assert.ok(acknowledged.size > 100, `the stream should be flowing (${acknowledged.size} acknowledged)`);
      // Two quick restarts around one that keeps the server down for 1.5 s: all within the retry window.
      for (const kind of ['restart', 'down 1.5 s', 'restart'] as const) {
        const t0 = Date.now();
        if (kind === 'restart') await pg.restart();
        else {
          await pg.stop();
          await sleep(1_500);
          await pg.start();
        }
        restartedAt = Date.now();
        restartMs = restartedAt - t0;
        outages.push(`${kind}: ${restartMs} ms`);
        // Keep streaming well past the restart.
        const before = acknowledged.size;
        await sleep(2_500);
        assert.ok(acknowledged.size > before + 100, `the stream should flow again after ${kind}`);
      }
    } finally {
      pushing = false;
      await Promise.all([pusher, watcher]);
    }

    assert.deepEqual(refused, [], 'no push may be refused while the server is back within the retry window');
    const downWhile = readiness.filter((r) => !r.ready);
    assert.ok(downWhile.length > 0, `/ready never answered 503 during the outages (${outages.join(', ')})`);
    assert.ok(
      downWhile.every((r) => r.at <= restartedAt + 2_000),
      '/ready stayed 503 long after the server was back',
    );
    assert.equal(readiness.at(-1)?.ready, true, '/ready should answer 200 after the restart');
    const firstDown = downWhile[0]!.at;
    const backAt = readiness.find((r) => r.at > firstDown && r.ready)?.at ?? Number.NaN;

    // Every gap the stream left (the withheld periods) is filled from the upstream.
    const max = Math.max(...acknowledged);
    const store = createPostgresStore({ url: pg.url, poolSize: 2 });
    try {
      await waitFor(
        async () => {
          const q = await store.countBackfillItems('stream');
          return q.pending + q.running + q.failed === 0 && (await store.stats('stream')).records === max;
        },
        'the withheld periods to be backfilled',
        30_000,
      ).catch(() => {
        throw fail('gaps did not close');
      });
      const rows = await store.recordsBetween('stream', 0, max + 100);
      const keys = rows.map((r) => Number(r.key));
      assert.equal(new Set(keys).size, keys.length, 'a record stored twice');
      const stored = new Set(keys);
      const lost = [...acknowledged].filter((p) => !stored.has(p));
      assert.deepEqual(lost, [], 'acknowledged records missing after the restart');
      assert.equal(rows.length, max, 'exactly the periods 1..max');
      for (const r of rows) assert.deepEqual(JSON.parse(r.payload), payloadOf(Number(r.key)));
      assert.deepEqual((await store.loadCoverage('stream')).ranges(), [[0, max - 1]], 'zero gaps');
      const withheld = Math.floor(max / WITHHELD_EVERY);
      assert.equal(
        new Set(up.calls.history).size,
        withheld,
        'the upstream was asked for exactly the withheld periods',
      );
    } finally {
      await store.close();
    }

    // The instance's own view agrees.
    const res = await fetch(`${base}/api/datasets/stream`);
    const { dataset: ds } = (await res.json()) as { dataset: { openGaps: number; records: number } };
    assert.equal(ds.openGaps, 0);
    assert.equal(ds.records, max);

    serve.kill('SIGTERM');
    assert.equal((await exited(serve)).code, 0, `serve should stop cleanly:\n${serve.output()}`);
    t.diagnostic(
      `${batches} batches, ${acknowledged.size} records acknowledged, slowest push ${slowestPushMs} ms, ${resent} resends ` +
        `(${resentFoundStored} found their records already stored); outages ${outages.join(', ')}; ` +
        `/ready 503 for ${backAt - firstDown} ms (${downWhile.length} polls); ` +
        `${up.calls.history.length} history calls for ${Math.floor(max / WITHHELD_EVERY)} withheld periods`,
    );
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { createMetrics } from '../src/server/metrics.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { payloadOf, startTestUpstream, type TestUpstream, upstreamSource } from './helpers/test-upstream.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json' };
const ndjson = { 'content-type': 'application/x-ndjson' };

describe('HTTP API (routes against a real SQLite store and upstream)', () => {
  let up: TestUpstream;
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine;
  let app: Hono;

  before(async () => {
    up = await startTestUpstream(Array.from({ length: 40 }, (_, i) => i + 1));
    tmp = tempDir();
    const config = compileConfig(
      {
        store: { sqlite: join(tmp.dir, 'api.db') },
        server: { token: TOKEN, bodyLimit: '64kb' },
        datasets: {
          draws: {
            partition: { sequence: { start: 1 } },
            sources: [upstreamSource('primary', up.url)],
            backfill: { retryInitial: '20ms', ratePerSecond: 1000 },
          },
          daily: { partition: { calendar: { every: '1d', timezone: 'Asia/Shanghai', start: '2026-11-01' } } },
          // Gaps wait for a backfill someone starts (the API here), so nothing races the API's own run.
          nightly: {
            partition: { sequence: { start: 1 } },
            sources: [upstreamSource('primary', up.url)],
            backfill: { enabled: false, ratePerSecond: 1000 },
          },
        },
      },
      { env: {} },
    );
    engine = createEngine({ config, logger: silentLogger, pollMs: 50 });
    await engine.start({ collect: false, backfill: true });
    app = createApp({
      engine,
      server: config.server,
      version: '0.0.0-test',
      metrics: createMetrics({ engine }),
    });
  });
  after(async () => {
    await engine.stop();
    await up.close();
    tmp.cleanup();
  });

  const push = (body: string, headers: Record<string, string> = { ...json, ...auth }, path = 'draws') =>
    app.request(`/api/datasets/${path}/records`, { method: 'POST', body, headers });
  const rec = (p: number) => ({ key: String(p), partition: p, payload: payloadOf(p) });

  it('answers liveness, readiness and an OpenAPI 3 document generated from the route schemas', async () => {
    assert.equal((await app.request('/health')).status, 200);
    const ready = await app.request('/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { ready: true, store: true, migrated: true, reasons: [] });
    const doc = (await (await app.request('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { requestBody?: unknown; security?: unknown; parameters: unknown[] }>
      >;
    };
    assert.match(doc.openapi, /^3\.0\./);
    const post = doc.paths['/api/datasets/{name}/records']?.post;
    assert.ok(post?.requestBody, 'push ingest documents its body');
    assert.deepEqual(post?.security, [{ bearer: [] }]);
    assert.ok(doc.paths['/api/datasets/{name}/gaps']?.get);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops)) {
        const names = (op.parameters as { name: string; in: string }[])
          .filter((p) => p.in === 'path')
          .map((p) => p.name);
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        assert.deepEqual(names.sort(), inPath.sort(), `path parameters of ${path} are documented`);
      }
    }
  });

  it('guards state-changing calls with the bearer token: missing 401, wrong 401, right 200', async () => {
    const body = JSON.stringify([rec(1)]);
    const missing = await push(body, json);
    assert.equal(missing.status, 401);
    assert.match(missing.headers.get('www-authenticate') ?? '', /Bearer/);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    assert.equal(
      (await push(body, { ...json, authorization: 'Bearer wrong-token-xxxxxxxxxxxx' })).status,
      401,
    );
    assert.equal(
      (await push(body, { ...json, authorization: TOKEN })).status,
      401,
      'a token without "Bearer" is refused',
    );
    const ok = await push(body);
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { inserted: number }).inserted, 1);
    assert.equal((await app.request('/api/datasets')).status, 200, 'reads are open by default');
  });

  it('ingests idempotently and counts inserted / duplicate / updated / rejected with a reason each', async () => {
    const body = JSON.stringify([
      rec(2),
      rec(3),
      rec(2),
      { key: '4', partition: 'four', payload: {} },
      { partition: 5 },
    ]);
    const first = (await (await push(body)).json()) as Record<string, unknown>;
    assert.equal(first.inserted, 2);
    assert.equal(first.duplicate, 1, 'the key repeated within the batch');
    assert.equal(first.rejected, 2);
    const rejections = first.rejections as { index: number; reason: string; key?: string }[];
    assert.deepEqual(
      rejections.map((r) => r.index),
      [3, 4],
    );
    assert.match(rejections[0]!.reason, /four|integer|number/);
    assert.match(rejections[1]!.reason, /key/);
    const again = (await (await push(JSON.stringify([rec(2), rec(3)]))).json()) as Record<string, unknown>;
    assert.deepEqual(
      [again.inserted, again.duplicate, again.rejected],
      [0, 2, 0],
      'a retry never double counts',
    );
    const records = (await (await app.request('/api/datasets/draws/records?limit=2')).json()) as {
      records: { key: string; source: string; payload: unknown }[];
      next: number | null;
    };
    assert.deepEqual(
      records.records.map((r) => r.key),
      ['3', '2'],
    );
    assert.equal(records.records[0]!.source, 'push');
    assert.deepEqual(records.records[0]!.payload, payloadOf(3));
    assert.notEqual(records.next, null, 'a full page has a cursor to the next one');
    const older = (await (
      await app.request(`/api/datasets/draws/records?limit=2&before=${records.next}`)
    ).json()) as {
      records: { key: string }[];
      next: number | null;
    };
    assert.deepEqual(
      older.records.map((r) => r.key),
      ['1'],
    );
    assert.equal(older.next, null);
  });

  it('stores the good lines of an NDJSON batch and names the bad lines', async () => {
    const lines = [
      JSON.stringify(rec(4)),
      '{"key": "5", "partition": 5, "payl',
      '',
      JSON.stringify(rec(5)),
      '42',
    ];
    const res = await push(lines.join('\n'), { ...ndjson, ...auth });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      inserted: number;
      rejected: number;
      rejections: { index: number; reason: string }[];
    };
    assert.equal(body.inserted, 2);
    assert.equal(body.rejected, 2);
    assert.deepEqual(
      body.rejections.map((r) => r.index),
      [1, 4],
    );
    assert.match(body.rejections[0]!.reason, /^line 2: not valid JSON/);
    assert.match(body.rejections[1]!.reason, /^line 5: expected an object/);
  });

  it('refuses malformed, mistyped, oversized bodies and unknown datasets with a message that says what to fix', async () => {
    const malformed = await push('[{"key": 1,');
    assert.equal(malformed.status, 400);
    assert.match(
      ((await malformed.json()) as { error: { message: string } }).error.message,
      /not valid JSON/,
    );
    const notArray = await push('{"key": "1"}');
    assert.equal(notArray.status, 400);
    assert.match(
      ((await notArray.json()) as { error: { message: string } }).error.message,
      /array of records/,
    );
    const wrongType = await push('key=1', { 'content-type': 'text/plain', ...auth });
    assert.equal(wrongType.status, 415);
    assert.match(
      ((await wrongType.json()) as { error: { message: string } }).error.message,
      /application\/json/,
    );
    const unknown = await push(JSON.stringify([rec(1)]), { ...json, ...auth }, 'nope');
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: { message: string } }).error.message, /draws/);
    const big = JSON.stringify(Array.from({ length: 2000 }, (_, i) => rec(i + 100)));
    const before = (await engine.store.stats('draws')).records;
    const tooLarge = await push(big);
    assert.equal(tooLarge.status, 413);
    assert.match(((await tooLarge.json()) as { error: { message: string } }).error.message, /bodyLimit/);
    assert.equal((await engine.store.stats('draws')).records, before, 'nothing of a refused body is stored');
    const badQuery = await app.request('/api/datasets/draws/gaps?limit=0');
    assert.equal(badQuery.status, 400);
    assert.match(((await badQuery.json()) as { error: { message: string } }).error.message, /limit/);
  });

  it('shows a gap with its backfill state, fills it, and reports the run', async () => {
    up.historyDelayMs = 300;
    await push(JSON.stringify([rec(9)]));
    const gaps = (await (await app.request('/api/datasets/draws/gaps')).json()) as {
      gaps: { from: number; to: number; count: number; backfill: string }[];
    };
    assert.deepEqual(
      gaps.gaps.map((g) => [g.from, g.to, g.count]),
      [[6, 8, 3]],
    );
    assert.ok(
      ['queued', 'running'].includes(gaps.gaps[0]!.backfill),
      `backfill state ${gaps.gaps[0]!.backfill}`,
    );
    up.historyDelayMs = 0;
    await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to close');
    const runs = (await (await app.request('/api/backfills?dataset=draws')).json()) as {
      runs: { id: number; filled: number; trigger: string }[];
    };
    assert.ok(runs.runs.some((r) => r.trigger === 'auto' && r.filled === 3));
    const one = await app.request(`/api/backfills/${runs.runs[0]!.id}`);
    assert.equal(one.status, 200);
    assert.equal((await app.request('/api/backfills/999999')).status, 404);
    const ds = (await (await app.request('/api/datasets/draws')).json()) as {
      dataset: { openGaps: number; coveragePercent: number };
      coverage: { present: { from: number; to: number }[] };
    };
    assert.equal(ds.dataset.openGaps, 0);
    assert.deepEqual(
      ds.coverage.present.map((r) => [r.from, r.to]),
      [[1, 9]],
    );
    const heartbeat = (await (await app.request('/heartbeat')).json()) as {
      datasets: { name: string; lastSource: string; secondsSinceLastRecord: number }[];
    };
    const draws = heartbeat.datasets.find((d) => d.name === 'draws');
    assert.equal(draws?.lastSource, 'primary', 'the backfill was the last to insert');
    assert.ok((draws?.secondsSinceLastRecord ?? 99) < 5);
  });

  it('plans a backfill from the API with dryRun, and refuses a call without a token or with an unknown field', async () => {
    up.absent.clear();
    await push(JSON.stringify([rec(12)]));
    const plan = await app.request('/api/datasets/draws/backfills', {
      method: 'POST',
      headers: { ...json, ...auth },
      body: JSON.stringify({ from: 1, to: 20, dryRun: true }),
    });
    assert.equal(plan.status, 200);
    const body = (await plan.json()) as { dryRun: boolean; plan: { partitions: number }; run: null };
    assert.equal(body.dryRun, true);
    assert.ok(body.plan.partitions <= 2);
    const noAuth = await app.request('/api/datasets/draws/backfills', {
      method: 'POST',
      headers: json,
      body: '{}',
    });
    assert.equal(noAuth.status, 401);
    const badBody = await app.request('/api/datasets/draws/backfills', {
      method: 'POST',
      headers: { ...json, ...auth },
      body: JSON.stringify({ from: 1, dryrun: true }),
    });
    assert.equal(badBody.status, 400);
    assert.match(((await badBody.json()) as { error: { message: string } }).error.message, /dryrun/);
    await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the auto backfill to finish');
  });

  it('starts a real backfill from the API: the run is queued (202) and fills the gap', async () => {
    assert.equal((await push(JSON.stringify([rec(1), rec(2), rec(6)]), undefined, 'nightly')).status, 200);
    const before = (await (await app.request('/api/datasets/nightly/gaps')).json()) as {
      gaps: { from: number; to: number; backfill: string }[];
    };
    assert.deepEqual(
      before.gaps.map((g) => [g.from, g.to]),
      [[3, 5]],
    );
    const started = await app.request('/api/datasets/nightly/backfills', {
      method: 'POST',
      headers: { ...json, ...auth },
      body: JSON.stringify({ from: 1, to: 10 }),
    });
    assert.equal(started.status, 202);
    const body = (await started.json()) as {
      dryRun: boolean;
      plan: { partitions: number; gaps: { from: number; to: number }[] };
      run: { id: number; dataset: string; trigger: string };
    };
    assert.deepEqual(
      [body.dryRun, body.plan.partitions, body.run.dataset, body.run.trigger],
      [false, 3, 'nightly', 'manual'],
    );
    let run: { filled: number; failed: number; finishedAt: number | null } | undefined;
    await waitFor(async () => {
      run = ((await (await app.request(`/api/backfills/${body.run.id}`)).json()) as { run: typeof run }).run;
      return run?.finishedAt !== null;
    }, 'the run to finish');
    assert.deepEqual([run?.filled, run?.failed], [3, 0]);
    const after = (await (await app.request('/api/datasets/nightly/gaps')).json()) as { gaps: unknown[] };
    assert.deepEqual(after.gaps, []);
    const rows = await engine.store.recordsBetween('nightly', 0, 10);
    assert.deepEqual(
      rows.map((r) => [r.key, r.source]),
      [
        ['1', 'push'],
        ['2', 'push'],
        ['3', 'primary'],
        ['4', 'primary'],
        ['5', 'primary'],
        ['6', 'push'],
      ],
    );
  });

  it('describes completeness per bucket: blocks for sequences, days for calendars', async () => {
    const seq = (await (await app.request('/api/datasets/draws/completeness')).json()) as {
      bucket: string;
      buckets: { expected: number; present: number; percent: number }[];
    };
    assert.equal(seq.bucket, 'block');
    assert.equal(
      seq.buckets.reduce((n, b) => n + b.present, 0),
      12,
    );
    assert.ok(seq.buckets.every((b) => b.percent === 100));
    await app.request('/api/datasets/daily/records', {
      method: 'POST',
      headers: { ...json, ...auth },
      body: JSON.stringify(
        ['2026-11-01', '2026-11-02', '2026-11-05'].map((d) => ({ key: d, partition: d, payload: { d } })),
      ),
    });
    const cal = (await (await app.request('/api/datasets/daily/completeness?bucket=day')).json()) as {
      bucket: string;
      buckets: { label: string; percent: number }[];
    };
    assert.equal(cal.bucket, 'day');
    assert.deepEqual(
      cal.buckets.map((b) => [b.label, b.percent]),
      [
        ['2026-11-01', 100],
        ['2026-11-02', 100],
        ['2026-11-03', 0],
        ['2026-11-04', 0],
        ['2026-11-05', 100],
      ],
    );
    const gaps = (await (await app.request('/api/datasets/daily/gaps')).json()) as {
      gaps: { from: string; to: string }[];
    };
    assert.deepEqual(
      gaps.gaps.map((g) => [g.from, g.to]),
      [['2026-11-03', '2026-11-04']],
    );
  });

  it('exposes Prometheus metrics that count what the API did', async () => {
    const res = await app.request('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /gapwarden_records_ingested_total\{[^}]*dataset="draws"[^}]*\} \d+/);
    assert.match(text, /gapwarden_records_rejected_total\{[^}]*dataset="draws"[^}]*\} [1-9]/);
  });
});

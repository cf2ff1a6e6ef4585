// The archive's surfaces on one SQLite store and a folder: the HTTP routes (listed in the
// OpenAPI document), the metrics, and the real CLI (`archive run | list | verify | restore |
// read`), plus the rollups an archived day fed, unchanged by archiving and by a restore.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { loadConfig } from '../src/config/load-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { rollupsModule } from '../src/rollups/rollups-module.js';
import { createApp } from '../src/server/app.js';
import { createMetrics, type Metrics } from '../src/server/metrics.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
// Real time: the CLI runs on the wall clock. Data from 20 days ago, for 6 days; retention 7 days.
const FIRST = Math.floor((Date.now() - 20 * DAY) / DAY) * DAY;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const D0 = dayOf(FIRST);
const D1 = dayOf(FIRST + DAY);
const TOKEN = 'archive-surfaces-token-0123456789';

function events() {
  const out = [];
  for (let t = FIRST; t < FIRST + 6 * DAY; t += HOUR)
    for (let i = 0; i < 4; i++)
      out.push({
        key: `${t}-${i}`,
        partition: new Date(t).toISOString(),
        payload: { path: `/p/${i % 2}`, client: `c${i}`, latency_ms: 10 + i * 5, ts: t + i },
      });
  return out;
}

describe('archive surfaces: routes, metrics, CLI, rollups untouched', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let engine: Engine;
  let app: Hono;
  let metrics: Metrics;
  const json = async (path: string, init?: RequestInit) => {
    const res = await app.request(path, init);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const post = (path: string, body: unknown) =>
    json(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });

  before(async () => {
    tmp = tempDir('gapwarden-archive-surfaces-');
    file = join(tmp.dir, 'gapwarden.yaml');
    writeFileSync(
      file,
      `store: { sqlite: store.db }
server: { token: ${TOKEN} }
datasets:
  gateway-events:
    partition: { calendar: { every: 1h, start: '${new Date(FIRST).toISOString()}', horizon: false } }
rollups:
  by-path:
    dataset: gateway-events
    dimensions: [path]
    bucket: hour
    measures:
      requests: { kind: count }
archive:
  store: { folder: objects }
  datasets:
    gateway-events: { retention: 7d, deleteBatch: 10 }
`,
    );
    const config = await loadConfig({ config: file });
    engine = createEngine({ config, logger: silentLogger });
    await engine.open();
    metrics = createMetrics({ engine });
    app = createApp({
      engine,
      server: config.server,
      version: '0.0.0-test',
      metrics,
    });
    await engine.ingest('gateway-events', events());
  });
  after(async () => {
    await engine.stop();
    tmp.cleanup();
  });

  it('runs retention over HTTP, lists manifests and storage, streams archived records, verifies, restores', async () => {
    const rollups = engine.module(rollupsModule);
    await rollups.catchUp();
    const range = { from: FIRST, to: FIRST + 6 * DAY };
    const seriesBefore = JSON.stringify(await rollups.series('by-path', range));

    const run = await post('/api/archive/run', {});
    assert.equal(run.status, 200);
    const [report] = run.body.reports as {
      parts: { day: string; state: string }[];
      deletedRecords: number;
    }[];
    // 20 days ago .. 15 days ago: every day of the data is past 7 days.
    assert.equal(report!.parts.length, 6);
    assert.ok(report!.parts.every((p) => p.state === 'deleted'));
    assert.equal(report!.deletedRecords, 6 * 24 * 4);

    const overview = await json('/api/archive');
    const [usage] = overview.body.datasets as {
      dataset: string;
      parts: number;
      records: number;
      bytes: number;
    }[];
    assert.equal(usage!.dataset, 'gateway-events');
    assert.equal(usage!.records, 576);
    assert.ok(usage!.bytes > 0);
    assert.match(String(overview.body.objectStore), /^folder .*objects$/);

    const manifests = await json(`/api/archive/manifests?dataset=gateway-events&day=${D0}`);
    const [m] = manifests.body.manifests as { objectKey: string; records: number; state: string }[];
    assert.deepEqual([m!.records, m!.state], [96, 'deleted']);
    const trail = await json('/api/archive/events?dataset=gateway-events&limit=3');
    assert.equal((trail.body.events as { event: string }[])[0]!.event, 'deleted');

    const nd = await app.request(`/api/archive/gateway-events/records?from=${D0}&to=${D1}`);
    assert.equal(nd.headers.get('content-type'), 'application/x-ndjson');
    const lines = (await nd.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 192);
    assert.equal(JSON.parse(lines[0].payload).path, '/p/0');
    assert.equal((await app.request('/api/archive/gateway-events/records?from=yesterday&to=x')).status, 400);
    assert.equal((await app.request(`/api/archive/nope/records?from=${D0}&to=${D0}`)).status, 404);

    const verified = await post('/api/archive/verify', { dataset: 'gateway-events', day: D0 });
    assert.deepEqual(
      (verified.body.verified as { ok: boolean }[]).map((v) => v.ok),
      [true],
    );

    // Archiving deleted detail only: the rollup's counts are the same.
    assert.equal(JSON.stringify(await rollups.series('by-path', range)), seriesBefore);
    const restored = await post('/api/archive/restore', { dataset: 'gateway-events', day: D1 });
    assert.deepEqual(restored.body, {
      dataset: 'gateway-events',
      day: D1,
      parts: 1,
      records: 96,
      inserted: 96,
    });
    // Restored records went back to their insertion positions: the rollup does not count them again.
    await rollups.catchUp();
    assert.equal(JSON.stringify(await rollups.series('by-path', range)), seriesBefore);

    const text = await metrics.render();
    assert.match(text, /gapwarden_archive_runs_total\{dataset="gateway-events",outcome="archived"\} 6/);
    assert.match(text, /gapwarden_archive_runs_total\{dataset="gateway-events",outcome="restored"\} 1/);
    assert.match(text, /gapwarden_archive_records\{dataset="gateway-events"\} 576/);
    assert.match(text, /gapwarden_archive_written_bytes_total\{dataset="gateway-events"\} [1-9]/);

    const openapi = await json('/openapi.json');
    const paths = Object.keys(openapi.body.paths as object);
    for (const p of ['/api/archive', '/api/archive/manifests', '/api/archive/run', '/api/archive/restore'])
      assert.ok(paths.includes(p), `${p} in the OpenAPI document`);
  });

  it('the CLI lists, verifies (exit 1 on a damaged object), restores and reads', async () => {
    const list = await runCli(['archive', 'list', 'gateway-events', '--config', file, '--json']);
    assert.equal(list.code, 0, list.stderr);
    const listed = JSON.parse(list.stdout) as {
      manifests: { day: string; state: string; objectKey: string }[];
    };
    assert.equal(listed.manifests.length, 6);
    const text = await runCli(['archive', 'list', '--config', file]);
    assert.match(text.stdout, /gateway-events: 6 parts, 576 records/);

    const ok = await runCli(['archive', 'verify', 'gateway-events', D0, '--config', file]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /\bok\b/);

    const d0 = listed.manifests.find((m) => m.day === D0)!;
    const path = join(tmp.dir, 'objects', ...d0.objectKey.split('/'));
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 9));
    const bad = await runCli(['archive', 'verify', 'gateway-events', D0, '--config', file]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /MISMATCH/);
    const refused = await runCli(['archive', 'restore', 'gateway-events', D0, '--config', file]);
    assert.notEqual(refused.code, 0, 'a damaged object is not restored from');
    assert.match(refused.stderr, /cannot restore/);
    writeFileSync(path, bytes);

    const restore = await runCli(['archive', 'restore', 'gateway-events', D0, '--config', file, '--json']);
    assert.equal(restore.code, 0, restore.stderr);
    assert.equal(JSON.parse(restore.stdout).inserted, 96);

    const read = await runCli([
      'archive',
      'read',
      'gateway-events',
      '--from',
      D0,
      '--to',
      D0,
      '--config',
      file,
    ]);
    assert.equal(read.code, 0, read.stderr);
    assert.equal(read.stdout.trimEnd().split('\n').length, 96);

    const again = await runCli(['archive', 'run', '--config', file, '--json']);
    assert.equal(again.code, 0, again.stderr);
    // Both restored days are held for a day: nothing deleted again yet.
    assert.equal(JSON.parse(again.stdout).reports[0].deletedRecords, 0);
  });
});

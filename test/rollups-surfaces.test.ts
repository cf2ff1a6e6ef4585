// The rollups module's surfaces on a SQLite store from a YAML config: the HTTP routes (series,
// top-N, snapshots by version and latest, rebuild behind the token, errors that say what to fix),
// the OpenAPI document, the lag metrics, and the CLI verbs `rollup status|query|top|rebuild --json`.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { loadConfig } from '../src/config/load-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { rollupsModule } from '../src/rollups/rollups-module.js';
import { createApp } from '../src/server/app.js';
import { createMetrics } from '../src/server/metrics.js';
import { runCli } from './helpers/cli.js';
import { exactByHourAndPath, gatewayEvents } from './helpers/gateway-events.js';
import { tempDir } from './helpers/temp-dir.js';

const H10 = Date.UTC(2026, 2, 2, 10);
const H11 = H10 + 3_600_000;
const TOKEN = 'rollup-test-token';

describe('rollups over HTTP and the CLI', () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'gapwarden.yaml');
  let engine: Engine;
  let app: Hono;
  const events = [...gatewayEvents(1, 300, H10, 31), ...gatewayEvents(301, 300, H11, 32)];
  const exact = exactByHourAndPath(events);
  const auth = { authorization: `Bearer ${TOKEN}` };

  before(async () => {
    writeFileSync(
      file,
      `store: { sqlite: ${JSON.stringify(join(tmp.dir, 'store.db'))} }
server: { enabled: false, token: ${TOKEN} }
datasets:
  gateway-events: { partition: { sequence: { start: 1, horizon: false } } }
rollups:
  by-path:
    dataset: gateway-events
    dimensions: [path, method]
    bucket: hour
    timeField: ts
    measures:
      requests: { kind: count }
      clients: { kind: unique, field: client }
      latency: { kind: quantiles, field: latency_ms }
    top: { by: requests, n: 3, keep: 3 }
`,
    );
    const config = await loadConfig({ config: file });
    engine = createEngine({ config, logger: silentLogger });
    await engine.open();
    app = createApp({
      engine,
      server: config.server,
      version: '0.0.0-test',
      metrics: createMetrics({ engine }),
    });
    await engine.ingest('gateway-events', events);
    await engine.module(rollupsModule).catchUp();
  });
  after(async () => {
    await engine.stop();
    tmp.cleanup();
  });

  it('serves a series per hour and path, merged over methods, with the quantiles asked for', async () => {
    const q = new URLSearchParams({
      from: new Date(H10).toISOString(),
      to: String(H11 + 3_600_000),
      groupBy: 'path',
      quantiles: '0.5,0.95',
    });
    const res = await app.request(`/api/rollups/by-path/series?${q}`);
    assert.equal(res.status, 200);
    const { series } = (await res.json()) as {
      series: Array<{
        bucket: string;
        dims: { path: string };
        values: { requests: number; latency: Record<string, number> };
      }>;
    };
    assert.equal(series.length, exact.size);
    for (const p of series) {
      assert.equal(
        p.values.requests,
        exact.get(`${p.bucket}|${p.dims.path}`)?.count,
        `${p.bucket} ${p.dims.path}`,
      );
      assert.deepEqual(Object.keys(p.values.latency), ['p50', 'p95']);
    }
    const day = await app.request(
      `/api/rollups/by-path/series?${new URLSearchParams({ from: String(H10), to: String(H11 + 3_600_000), bucket: 'day', groupBy: '', filter: '{"path":"/health"}' })}`,
    );
    const [health] = ((await day.json()) as { series: Array<{ values: { requests: number } }> }).series;
    assert.equal(health?.values.requests, events.filter((e) => e.payload.path === '/health').length);
  });

  it('ranks the top paths and keeps versioned snapshots, readable by version and as latest', async () => {
    const top = await app.request(
      `/api/rollups/by-path/top?from=${H10}&to=${H11 + 3_600_000}&groupBy=path&n=2`,
    );
    const body = (await top.json()) as {
      top: Array<{ rank: number; dims: { path: string }; value: number }>;
    };
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.payload.path, (counts.get(e.payload.path) ?? 0) + 1);
    const expected = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2);
    assert.deepEqual(
      body.top.map((e) => [e.dims.path, e.value]),
      expected,
    );
    assert.equal((await app.request('/api/rollups/by-path/snapshots', { method: 'POST' })).status, 401);
    const made = await app.request('/api/rollups/by-path/snapshots', { method: 'POST', headers: auth });
    assert.equal(made.status, 201);
    const { version } = (await made.json()) as { version: number };
    const latest = (await (await app.request('/api/rollups/by-path/snapshots/latest')).json()) as {
      version: number;
    };
    assert.equal(latest.version, version);
    assert.equal((await app.request(`/api/rollups/by-path/snapshots/${version}`)).status, 200);
    const missing = await app.request(`/api/rollups/by-path/snapshots/${version + 5}`);
    assert.equal(missing.status, 404);
    assert.match(
      ((await missing.json()) as { error: { message: string } }).error.message,
      /no top-N snapshot version/,
    );
  });

  it('rebuilds behind the token and refuses bad input with what to fix', async () => {
    const body = JSON.stringify({
      from: new Date(H10).toISOString(),
      to: new Date(H11 + 3_600_000).toISOString(),
    });
    const json = { ...auth, 'content-type': 'application/json' };
    const rebuilt = await app.request('/api/rollups/by-path/rebuild', {
      method: 'POST',
      headers: json,
      body,
    });
    assert.equal(rebuilt.status, 200);
    assert.equal(((await rebuilt.json()) as { records: number }).records, events.length);
    const minute = await app.request(`/api/rollups/by-path/series?from=${H10}&to=${H11}&bucket=minute`);
    assert.equal(minute.status, 400);
    assert.match(await minute.text(), /counts per hour, so it can answer per hour or coarser/);
    const unknown = await app.request(`/api/rollups/nope/series?from=${H10}&to=${H11}`);
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /no rollup named \\"nope\\": configured are by-path/);
    const badFilter = await app.request(`/api/rollups/by-path/series?from=${H10}&to=${H11}&filter=path`);
    assert.equal(badFilter.status, 400);
    const openapi = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const p of [
      '/api/rollups',
      '/api/rollups/{name}/series',
      '/api/rollups/{name}/top',
      '/api/rollups/{name}/rebuild',
    ]) {
      assert.ok(openapi.paths[p], `${p} in the OpenAPI document`);
    }
  });

  it('exposes the rollup lag: 0 when caught up, the records waiting otherwise', async () => {
    const text = async () => (await (await app.request('/metrics')).text()).split('\n');
    assert.ok(
      (await text()).includes(
        'gapwarden_rollup_pending_records{rollup="by-path",dataset="gateway-events"} 0',
      ),
    );
    await engine.ingest('gateway-events', gatewayEvents(10_001, 7, H11, 33));
    const lines = await text();
    assert.ok(
      lines.includes('gapwarden_rollup_pending_records{rollup="by-path",dataset="gateway-events"} 7'),
      lines.filter((l) => l.includes('rollup')).join('\n'),
    );
    await engine.module(rollupsModule).catchUp();
  });

  it('answers the CLI verbs with --json', async () => {
    const top = await runCli([
      'rollup',
      'top',
      'by-path',
      '--from',
      String(H10),
      '--to',
      String(H11 + 3_600_000),
      '--group-by',
      'path',
      '-n',
      '1',
      '--config',
      file,
      '--json',
    ]);
    assert.equal(top.code, 0, top.stderr);
    const parsed = JSON.parse(top.stdout) as { top: Array<{ dims: { path: string } }> };
    assert.equal(parsed.top.length, 1);
    const query = await runCli([
      'rollup',
      'query',
      'by-path',
      '--from',
      String(H10),
      '--to',
      String(H11),
      '--where',
      'path=/v1/orders',
      '--group-by',
      'path',
      '--config',
      file,
      '--json',
    ]);
    assert.equal(query.code, 0, query.stderr);
    const series = (JSON.parse(query.stdout) as { series: Array<{ values: { requests: number } }> }).series;
    assert.equal(series[0]?.values.requests, exact.get(`${new Date(H10).toISOString()}|/v1/orders`)?.count);
    const text = await runCli(['rollup', 'status', '--config', file]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /by-path\s+gateway-events\s+hour UTC/);
    const bad = await runCli(['rollup', 'query', 'by-path', '--bucket', 'week', '--config', file]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--bucket expects minute, hour or day, found "week"/);
    const rebuild = await runCli([
      'rollup',
      'rebuild',
      'by-path',
      '--from',
      String(H10),
      '--to',
      String(H11 + 3_600_000),
      '--config',
      file,
      '--json',
    ]);
    assert.equal(rebuild.code, 0, rebuild.stderr);
    assert.equal((JSON.parse(rebuild.stdout) as { records: number }).records, events.length + 7);
  });
});

// The demo's API gateway (issue 16): 3 days of request events ingested at start, an hourly
// rollup by path, and a 1-day archive horizon. After a bounded run, the real CLI on the demo
// folder answers: the rollup's counts per path and hour equal the events the demo ingested
// (recomputed from the same seeds), unique clients within the HyperLogLog bound, a p95 per
// cell; the archive lists verified, deleted days; a restore brings a day's records back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GatewaySummary } from '../src/demo/demo-gateway.js';
import { GATEWAY_PATHS, historicalHour } from '../src/demo/gateway-traffic.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const HOUR = 3_600_000;

interface Point {
  bucket: string;
  dims: { path: string };
  values: { requests: number; clients: number; latency: Record<string, number> };
}
interface Manifest {
  day: string;
  state: string;
  records: number;
  deletedRecords: number;
  verifiedAt: number | null;
}

describe('demo: gateway-events, its hourly rollup and its archive', () => {
  const tmp = tempDir('gapwarden-demo-gateway-');
  let gateway: GatewaySummary;
  let seriesBefore: Point[] = [];
  let manifests: Manifest[] = [];
  const from = () => gateway.history.from;
  const to = () => Math.floor(gateway.history.to / HOUR) * HOUR;
  const cli = async (...args: string[]) => {
    const res = await runCli([...args, '--dir', tmp.dir], { timeoutMs: 30_000 });
    assert.equal(res.code, 0, `gapwarden ${args.join(' ')}:\n${res.stdout}\n${res.stderr}`);
    return res.stdout;
  };
  const query = async (from: number, to: number) =>
    JSON.parse(
      await cli(
        'rollup',
        'query',
        'requests-by-path',
        '--from',
        new Date(from).toISOString(),
        '--to',
        new Date(to).toISOString(),
        '-g',
        'path',
        '-q',
        '0.95',
        '--json',
      ),
    ).series as Point[];
  const records = async () =>
    (JSON.parse(await cli('status', '--json')).datasets as { name: string; records: number }[]).find(
      (d) => d.name === 'gateway-events',
    )!.records;

  before(async () => {
    const res = await runCli(['demo', '--dir', tmp.dir, '--for', '20s', '--api-port', '0', '--json'], {
      timeoutMs: 90_000,
    });
    assert.equal(res.code, 0, `demo failed:\n${res.stdout}\n${res.stderr}`);
    const out = JSON.parse(res.stdout);
    assert.equal(out.ok, true);
    const ds = out.status.datasets.find((d: { name: string }) => d.name === 'gateway-events');
    assert.equal(ds.openGaps, 0, 'archived hours stay present: no gap');
    gateway = out.gateway;
  });
  after(() => tmp.cleanup());

  it('summarises the last complete hour per path in --json', () => {
    assert.ok(gateway.history.records > 5000, `${gateway.history.records} historical events`);
    assert.ok(gateway.live > 0, 'live events were fed while the demo ran');
    assert.deepEqual(gateway.archived.errors, []);
    const paths = gateway.lastHour.paths;
    assert.ok(paths.length > 0);
    for (const p of paths) {
      assert.ok(GATEWAY_PATHS.includes(p.path));
      assert.ok(p.requests > 0 && p.clients > 0 && p.clients <= p.requests + 1);
      assert.ok(p.p95 > 0, `${p.path}: p95 ${p.p95}`);
    }
  });

  it('rollup query: exact counts per path and hour, clients within the HLL bound, a p95', async () => {
    // Every whole hour of the history, archived or still in detail; live events only reach later hours.
    const [series, listed] = await Promise.all([
      query(from(), to()),
      cli('archive', 'list', 'gateway-events', '--json').then(
        (o) => JSON.parse(o) as { manifests: Manifest[] },
      ),
    ]);
    seriesBefore = series;
    manifests = listed.manifests;
    const expected = new Map<string, { count: number; clients: Set<string>; latencies: number[] }>();
    for (let h = from(); h < to(); h += HOUR) {
      for (const e of historicalHour(h)) {
        const key = `${new Date(h).toISOString()}|${e.payload.path}`;
        const x = expected.get(key) ?? { count: 0, clients: new Set<string>(), latencies: [] };
        x.count++;
        x.clients.add(e.payload.client);
        x.latencies.push(e.payload.latency_ms);
        expected.set(key, x);
      }
    }
    assert.equal(series.length, expected.size, 'one cell per (hour, path) that had requests');
    for (const p of series) {
      const x = expected.get(`${p.bucket}|${p.dims.path}`);
      assert.ok(x, `unexpected cell ${p.bucket} ${p.dims.path}`);
      assert.equal(p.values.requests, x.count, `${p.bucket} ${p.dims.path}: requests`);
      // 4 standard errors at precision 14 (0.81%), and at least 1: small counts are exact to ±1.
      const bound = Math.max(1, 4 * 0.0081 * x.clients.size);
      assert.ok(
        Math.abs(p.values.clients - x.clients.size) <= bound,
        `${p.bucket} ${p.dims.path}: ${p.values.clients} clients, exactly ${x.clients.size}`,
      );
      const p95 = p.values.latency.p95;
      assert.ok(
        typeof p95 === 'number' && p95 >= Math.min(...x.latencies) && p95 <= Math.max(...x.latencies),
        `${p.bucket} ${p.dims.path}: p95 ${p95}`,
      );
    }
  });

  it('archive list shows verified, deleted days; restore brings a day back; the rollup is unchanged', async () => {
    const done = manifests.filter((m) => m.state === 'deleted' && m.verifiedAt !== null);
    assert.ok(done.length >= 1, JSON.stringify(manifests));
    assert.deepEqual([...new Set(done.map((m) => m.day))].sort(), gateway.archived.days);
    const m = done[0]!;
    assert.equal(m.deletedRecords, m.records);
    // The archived day holds exactly the events the demo generated for its hours (the first day may start late).
    const start = Date.parse(`${m.day}T00:00:00Z`);
    let generated = 0;
    for (let h = Math.max(start, from()); h < start + 24 * HOUR; h += HOUR)
      generated += historicalHour(h).length;
    assert.equal(m.records, generated);

    const restored = JSON.parse(await cli('archive', 'restore', 'gateway-events', m.day, '--json'));
    assert.equal(restored.records, m.records);
    assert.equal(restored.inserted, m.records);
    const [stored, seriesAfter] = await Promise.all([records(), query(from(), to())]);
    // Stored now: everything ingested, less what retention deleted, plus the restored day.
    const ingested = gateway.history.records + gateway.live;
    assert.equal(stored, ingested - gateway.archived.records + m.records, 'the day is back in the store');
    assert.deepEqual(seriesAfter, seriesBefore, 'restored records are not counted twice');
  });
});

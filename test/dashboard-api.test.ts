// What the dashboard reads from the API: backfill runs named by their partitions,
// completeness over a dataset's whole range, and ingest/fill activity over time.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock, type ManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { createMetrics } from '../src/server/metrics.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

const TOKEN = 'test-token-0123456789abcdef';
const write = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
/** 2026-11-20 12:00 UTC: every calendar partition below is due by then. */
const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const MINUTE = 60_000;

interface Run {
  id: number;
  trigger: string;
  from: number | string | null;
  to: number | string | null;
  fromOrdinal: number;
  toOrdinal: number;
  filled: number;
  finishedAt: number | null;
}

describe('dashboard views over the HTTP API', () => {
  let tmp: ReturnType<typeof tempDir>;
  let clock: ManualClock;
  let engine: Engine;
  let app: Hono;

  before(async () => {
    tmp = tempDir();
    clock = createManualClock(T0);
    const dayRecord = (vars: Record<string, string>) => [
      { key: vars.date!, partition: vars.date!, payload: { day: vars.date } },
    ];
    const config = compileConfig(
      {
        store: { sqlite: join(tmp.dir, 'views.db') },
        server: { token: TOKEN },
        datasets: {
          daily: {
            partition: { calendar: { every: '1d', timezone: 'Asia/Shanghai', start: '2026-11-01' } },
            sources: [
              {
                name: 'archive',
                type: 'function',
                byKey: async (vars: Record<string, string>) => dayRecord(vars),
              },
            ],
            backfill: { ratePerSecond: 1000 },
          },
          draws: {
            partition: { sequence: { start: 3001 } },
            sources: [
              {
                name: 'archive',
                type: 'function',
                byKey: async (vars: Record<string, string>) => [
                  { key: vars.partition!, partition: Number(vars.partition), payload: {} },
                ],
              },
            ],
            // Runs are started by hand here, and stay queued.
            backfill: { enabled: false },
          },
          years: { partition: { calendar: { every: '1d', timezone: 'UTC', start: '2022-01-01' } } },
          feed: {
            partition: { sequence: { start: 1 } },
            sources: [
              {
                name: 'archive',
                type: 'function',
                byKey: async (vars: Record<string, string>) => [
                  { key: vars.partition!, partition: Number(vars.partition), payload: {} },
                ],
              },
            ],
            backfill: { ratePerSecond: 1000 },
          },
        },
      },
      { env: {} },
    );
    engine = createEngine({ config, logger: silentLogger, clock, pollMs: 20 });
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
    tmp.cleanup();
  });

  const get = async <T>(path: string): Promise<T> => {
    const res = await app.request(path);
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    return (await res.json()) as T;
  };

  describe('backfill runs', () => {
    it('name their range by the dataset partitions: dates for a calendar, beside the ordinals', async () => {
      await app.request('/api/datasets/daily/records', {
        method: 'POST',
        headers: write,
        body: JSON.stringify(
          ['2026-11-01', '2026-11-05'].map((d) => ({ key: d, partition: d, payload: {} })),
        ),
      });
      await waitFor(async () => (await engine.gaps('daily')).length === 0, 'the daily gap to be filled');
      const { runs } = await get<{ runs: Run[] }>('/api/backfills?dataset=daily');
      const auto = runs.find((r) => r.trigger === 'auto');
      assert.ok(auto, 'the gap opened an automatic run');
      assert.equal(auto.from, '2026-11-02');
      assert.equal(auto.to, '2026-11-04');
      assert.equal(auto.toOrdinal - auto.fromOrdinal, 2, 'the ordinals stay for compatibility');
      const one = await get<{ run: Run }>(`/api/backfills/${auto.id}`);
      assert.deepEqual([one.run.from, one.run.to], ['2026-11-02', '2026-11-04']);
    });

    it('name a manual run started from the API by its partitions too, in the answer and the list', async () => {
      await app.request('/api/datasets/draws/records', {
        method: 'POST',
        headers: write,
        body: JSON.stringify([3001, 3005].map((p) => ({ key: String(p), partition: p, payload: {} }))),
      });
      const res = await app.request('/api/datasets/draws/backfills', {
        method: 'POST',
        headers: write,
        body: JSON.stringify({ from: 3001, to: 3005 }),
      });
      assert.equal(res.status, 202);
      const { run } = (await res.json()) as { run: Run };
      assert.deepEqual([run.from, run.to], [3002, 3004]);
      const { runs } = await get<{ runs: Run[] }>('/api/backfills?dataset=draws');
      assert.deepEqual(
        runs.map((r) => [r.id, r.from, r.to]),
        [[run.id, 3002, 3004]],
      );
    });
  });

  describe('completeness', () => {
    interface Completeness {
      bucket: string;
      blockSize: number | null;
      from: string | null;
      to: string | null;
      range: { from: string; to: string } | null;
      buckets: { label: string; start: string; end: string; expected: number; present: number }[];
    }

    it('shows a 1,461-day dataset whole by default, in months, and zooms into one of them in days', async () => {
      const days = ['2022-01-01', '2024-02-10', '2025-12-31'];
      await app.request('/api/datasets/years/records', {
        method: 'POST',
        headers: write,
        body: JSON.stringify(days.map((d) => ({ key: d, partition: d, payload: {} }))),
      });
      const whole = await get<Completeness>('/api/datasets/years/completeness');
      assert.equal(whole.bucket, 'month');
      assert.equal(whole.buckets.length, 48);
      assert.deepEqual([whole.from, whole.to], ['2022-01-01', '2025-12-31']);
      assert.deepEqual(whole.range, { from: '2022-01-01', to: '2025-12-31' });
      assert.equal(
        whole.buckets.reduce((n, b) => n + b.expected, 0),
        1461,
      );
      assert.equal(
        whole.buckets.reduce((n, b) => n + b.present, 0),
        3,
      );
      // The dashboard zooms into a bucket by asking for its start and end.
      const feb = whole.buckets.find((b) => b.label === '2024-02')!;
      const zoomed = await get<Completeness>(
        `/api/datasets/years/completeness?from=${feb.start}&to=${feb.end}`,
      );
      assert.equal(zoomed.bucket, 'day');
      assert.equal(zoomed.buckets.length, 29);
      assert.deepEqual(
        zoomed.buckets.filter((b) => b.present > 0).map((b) => b.label),
        ['2024-02-10'],
      );
      assert.deepEqual(zoomed.range, whole.range, 'the whole range stays known while zoomed');
      const weeks = await get<Completeness>('/api/datasets/years/completeness?maxBuckets=400');
      assert.equal(weeks.bucket, 'week');
      assert.ok(weeks.buckets.length <= 400);
    });

    it('refuses more buckets than it ever answers, saying the limit', async () => {
      const res = await app.request('/api/datasets/years/completeness?maxBuckets=5000');
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /maxBuckets/);
    });
  });

  describe('activity', () => {
    interface Activity {
      from: number;
      to: number;
      bucketMs: number;
      buckets: { start: number; inserted: number; filled: number }[];
      totals: { inserted: number; filled: number };
    }
    const push = (partitions: number[]) =>
      app.request('/api/datasets/feed/records', {
        method: 'POST',
        headers: write,
        body: JSON.stringify(partitions.map((p) => ({ key: String(p), partition: p, payload: {} }))),
      });
    const hour = T0 + 60 * MINUTE;

    it('counts records stored and partitions filled by backfill per time bucket, from the clock', async () => {
      clock.set(hour + 30_000);
      await push([1, 2, 3]);
      clock.set(hour + 10 * MINUTE + 5_000);
      await push([10]);
      await waitFor(async () => (await engine.gaps('feed')).length === 0, 'the feed gap to be filled');
      const a = await get<Activity>(
        `/api/datasets/feed/activity?from=${new Date(hour).toISOString()}&to=${hour + 60 * MINUTE}&bucket=5m`,
      );
      assert.deepEqual(
        [a.from, a.to, a.bucketMs, a.buckets.length],
        [hour, hour + 60 * MINUTE, 5 * MINUTE, 12],
      );
      assert.deepEqual(
        a.buckets.filter((b) => b.inserted > 0),
        [
          { start: hour, inserted: 3, filled: 0 },
          { start: hour + 10 * MINUTE, inserted: 7, filled: 6 },
        ],
      );
      assert.deepEqual(a.totals, { inserted: 10, filled: 6 });
      assert.ok(
        a.buckets.every((b, i) => b.start === hour + i * 5 * MINUTE),
        'every bucket, empty ones too',
      );
    });

    it('reads the last day by default, and coarsens a bucket that would need more than maxBuckets', async () => {
      const day = await get<Activity>('/api/datasets/feed/activity');
      assert.equal(day.to, clock.now());
      assert.equal(day.bucketMs, 30 * MINUTE);
      assert.ok(day.buckets.length <= 60);
      assert.deepEqual(day.totals, { inserted: 10, filled: 6 });
      const month = await get<Activity>(
        `/api/datasets/feed/activity?from=${clock.now() - 30 * 24 * 60 * MINUTE}&bucket=1m&maxBuckets=100`,
      );
      assert.equal(month.bucketMs, 12 * 60 * MINUTE);
      assert.ok(month.buckets.length <= 100);
    });

    it('answers 400 naming the parameter for a bad time, bucket or order', async () => {
      for (const [query, message] of [
        ['from=soon', /^from soon is not a time/],
        ['to=2026-13-01', /^to 2026-13-01 is not a time/],
        ['bucket=fast', /^bucket fast is not a duration/],
        [`from=${T0}&to=${T0}`, /is not before to/],
      ] as const) {
        const res = await app.request(`/api/datasets/feed/activity?${query}`);
        assert.equal(res.status, 400, query);
        assert.match(((await res.json()) as { error: { message: string } }).error.message, message);
      }
      assert.equal((await app.request('/api/datasets/nope/activity')).status, 404);
    });
  });
});

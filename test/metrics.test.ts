import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { type Clock, createManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { jobsModule } from '../src/scheduler/jobs-module.js';
import { createMetrics, type Metrics } from '../src/server/metrics.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { payloadOf, startTestUpstream, type TestUpstream, upstreamSource } from './helpers/test-upstream.js';

const fast = { retryInitial: '20ms', retryMax: '100ms', ratePerSecond: 1000 };
const records = (...ps: number[]) => ps.map((p) => ({ key: String(p), partition: p, payload: payloadOf(p) }));

/** One sample of the exposition text. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `unparseable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k!] = v!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The metric families of an exposition, from its `# TYPE` lines. */
function families(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

/**
 * What a gapwarden metric's name may end in or carry: a base unit, the thing
 * counted (plural), or a state-set (`_status`, `_up`: 1 for the current state).
 */
const UNIT_WORDS = new Set([
  'seconds',
  'bytes',
  'ratio',
  'records',
  'gaps',
  'partitions',
  'runs',
  'attempts',
  'requests',
  'failures',
  'status',
  'up',
  'alerts',
  'notifications',
  'findings',
  'messages',
  'batches',
  'commits',
]);
/** Labels a Prometheus server sets on every series it scrapes, or gives a meaning of its own. */
const RESERVED_LABELS = new Set(['job', 'instance', 'le', 'quantile']);

/** The sum of the samples named `name` whose labels include `labels`; undefined when there is none. */
function sampled(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return hits.length === 0 ? undefined : hits.reduce((sum, s) => sum + s.value, 0);
}

describe('metrics: what an operator scrapes after ingest and backfill', () => {
  let up: TestUpstream;
  let tmp: ReturnType<typeof tempDir>;
  let engines: Engine[] = [];
  let open: Metrics[] = [];

  before(async () => {
    up = await startTestUpstream(Array.from({ length: 50 }, (_, i) => i + 1));
    tmp = tempDir();
  });
  after(async () => {
    await up.close();
    tmp.cleanup();
  });
  afterEach(async () => {
    for (const m of open) m.close();
    for (const e of engines) await e.stop().catch(() => {});
    open = [];
    engines = [];
    up.down = false;
    up.absent.clear();
    up.latestBody = undefined;
  });

  let n = 0;
  function setup(
    dataset: Record<string, unknown>,
    clock?: Clock,
    jobs?: Record<string, unknown>,
    path = join(tmp.dir, `m${++n}.db`),
  ) {
    const config = compileConfig(
      { store: { sqlite: path }, datasets: { draws: dataset }, ...(jobs ? { jobs } : {}) },
      { env: {} },
    );
    const engine = createEngine({ config, logger: silentLogger, pollMs: 50, ...(clock ? { clock } : {}) });
    engines.push(engine);
    const metrics = createMetrics({ engine });
    open.push(metrics);
    return { engine, metrics, path, scrape: async () => parseExposition(await metrics.render()) };
  }

  it('counts ingested, duplicate and rejected records, backfill outcomes and source requests', async () => {
    up.absent.add(5);
    const { engine, metrics, scrape } = setup({
      partition: { sequence: { start: 1 } },
      sources: [upstreamSource('primary', up.url)],
      backfill: fast,
    });
    await engine.start();
    await engine.ingest('draws', records(1, 2, 3));
    await engine.ingest('draws', [...records(7), { key: 'bad', partition: 'not-a-number', payload: {} }]);
    await engine.ingest('draws', records(1));
    await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to close');
    await engine.backfillIdle();

    const m = await scrape();
    const push = { dataset: 'draws', source: 'push' };
    assert.equal(sampled(m, 'gapwarden_records_ingested_total', { ...push, outcome: 'inserted' }), 4);
    assert.equal(sampled(m, 'gapwarden_records_ingested_total', { ...push, outcome: 'unchanged' }), 1);
    assert.equal(sampled(m, 'gapwarden_records_rejected_total', push), 1);
    assert.equal(
      sampled(m, 'gapwarden_records_ingested_total', { source: 'primary', outcome: 'inserted' }),
      2,
      'records 4 and 6 came from the backfill',
    );
    assert.equal(sampled(m, 'gapwarden_backfill_attempts_total', { outcome: 'filled' }), 2);
    assert.equal(sampled(m, 'gapwarden_backfill_attempts_total', { outcome: 'not_found' }), 1);
    assert.equal(sampled(m, 'gapwarden_backfill_attempts_total', { outcome: 'failed' }), 0);
    assert.equal(sampled(m, 'gapwarden_backfill_duration_seconds_count', { dataset: 'draws' }), 2);
    const byKey = { dataset: 'draws', source: 'primary', kind: 'byKey' };
    assert.equal(sampled(m, 'gapwarden_source_requests_total', { ...byKey, outcome: 'ok' }), 2);
    assert.equal(sampled(m, 'gapwarden_source_requests_total', { ...byKey, outcome: 'not_found' }), 1);
    // "Not found" for 5 asks `latest` once how far the source has published (it has: 5 is final).
    assert.equal(sampled(m, 'gapwarden_source_requests_total', { kind: 'latest', outcome: 'ok' }), 1);
    assert.equal(sampled(m, 'gapwarden_source_request_duration_seconds_count', { source: 'primary' }), 4);
    assert.equal(sampled(m, 'gapwarden_gaps_opened_total', { dataset: 'draws' }), 1);
    assert.equal(sampled(m, 'gapwarden_gaps_open', { dataset: 'draws' }), 0);
    assert.equal(sampled(m, 'gapwarden_gap_partitions_missing', { dataset: 'draws' }), 0);
    assert.equal(sampled(m, 'gapwarden_oldest_gap_age_seconds', { dataset: 'draws' }), 0);
    assert.equal(sampled(m, 'gapwarden_known_missing_partitions', { dataset: 'draws' }), 1);
    assert.equal(sampled(m, 'gapwarden_records_stored', { dataset: 'draws' }), 6);
    assert.equal(sampled(m, 'gapwarden_coverage_ratio', { dataset: 'draws' }), 1);
    assert.equal(sampled(m, 'gapwarden_dataset_status', { dataset: 'draws', status: 'healthy' }), 1);
    assert.equal(sampled(m, 'gapwarden_dataset_status', { dataset: 'draws', status: 'degraded' }), 0);
    assert.equal(sampled(m, 'gapwarden_source_up', { dataset: 'draws', source: 'primary' }), 1);
    assert.equal(
      sampled(m, 'gapwarden_backfill_queue_partitions', { dataset: 'draws', state: 'pending' }),
      0,
    );
    assert.ok((sampled(m, 'process_resident_memory_bytes') ?? 0) > 0, 'process metrics are exposed');
    assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
  });

  it('shows an open gap, its age, a failing source and its open circuit while the upstream is down', async () => {
    up.down = true;
    const clock = createManualClock(Date.UTC(2025, 0, 1));
    const { engine, scrape } = setup(
      {
        partition: { sequence: {} },
        sources: [upstreamSource('primary', up.url)],
        // Retries far in the future: the gap stays open however the clock is moved below.
        backfill: { ...fast, retryInitial: '1h', retryMax: '1h', maxAttempts: 100 },
        breaker: { failureThreshold: 1, cooldown: '1h' },
      },
      clock,
    );
    await engine.start();
    await engine.ingest('draws', records(10, 14));
    await waitFor(
      async () => sampled(await scrape(), 'gapwarden_backfill_attempts_total', { outcome: 'retry' }) === 3,
      'three backfill attempts to be retried',
    );
    clock.advance(90_000);

    const m = await scrape();
    assert.equal(sampled(m, 'gapwarden_gaps_open', { dataset: 'draws' }), 1);
    assert.equal(sampled(m, 'gapwarden_gap_partitions_missing', { dataset: 'draws' }), 3);
    assert.equal(sampled(m, 'gapwarden_oldest_gap_age_seconds', { dataset: 'draws' }), 90);
    assert.equal(sampled(m, 'gapwarden_freshness_seconds', { dataset: 'draws' }), 90);
    assert.equal(
      sampled(m, 'gapwarden_backfill_queue_partitions', { dataset: 'draws', state: 'pending' }),
      3,
    );
    assert.equal(sampled(m, 'gapwarden_source_up', { dataset: 'draws', source: 'primary' }), 0);
    assert.ok(
      (sampled(m, 'gapwarden_source_requests_total', { source: 'primary', outcome: 'http_5xx' }) ?? 0) >= 1,
      'the HTTP 500 answers are counted as http_5xx',
    );
    assert.equal(
      sampled(m, 'gapwarden_source_requests_total', { source: 'primary', outcome: 'ok' }),
      undefined,
    );
    assert.equal(sampled(m, 'gapwarden_dataset_status', { dataset: 'draws', status: 'degraded' }), 1);
    assert.equal(sampled(m, 'gapwarden_dataset_status', { dataset: 'draws', status: 'healthy' }), 0);
    assert.equal(sampled(m, 'gapwarden_coverage_ratio', { dataset: 'draws' }), 2 / 5);
  });

  it('counts a malformed body and a body whose every item is rejected apart from upstream errors', async () => {
    const { engine, scrape } = setup({
      partition: { sequence: {} },
      sources: [upstreamSource('primary', up.url)],
      backfill: { enabled: false },
      breaker: { failureThreshold: 10 },
    });
    await engine.open();
    up.latestBody = '{"code":0,"data":[{"issue":42'; // cut off mid-body
    await assert.rejects(engine.collect('draws'));
    up.latestBody = JSON.stringify({ code: 0, data: [{ value: 1 }, { value: 2 }] }); // no keys
    await engine.collect('draws');
    up.latestBody = undefined;
    up.down = true;
    await assert.rejects(engine.collect('draws'));
    const m = await scrape();
    const latest = { dataset: 'draws', source: 'primary', kind: 'latest' };
    assert.equal(sampled(m, 'gapwarden_source_requests_total', { ...latest, outcome: 'malformed' }), 1);
    assert.equal(sampled(m, 'gapwarden_source_requests_total', { ...latest, outcome: 'rejected' }), 1);
    assert.equal(sampled(m, 'gapwarden_source_requests_total', { ...latest, outcome: 'http_5xx' }), 1);
    assert.equal(sampled(m, 'gapwarden_source_requests_total', { ...latest, outcome: 'ok' }), undefined);
    assert.equal(sampled(m, 'gapwarden_records_rejected_total', { dataset: 'draws', source: 'primary' }), 2);
  });

  it('keeps two engines in one process apart, and stops counting once closed', async () => {
    const a = setup({ partition: { sequence: {} }, backfill: { enabled: false } });
    const b = setup({ partition: { sequence: {} }, backfill: { enabled: false } });
    await a.engine.open();
    await b.engine.open();
    await a.engine.ingest('draws', records(1, 2));
    assert.equal(sampled(await a.scrape(), 'gapwarden_records_ingested_total', { outcome: 'inserted' }), 2);
    assert.equal(
      sampled(await b.scrape(), 'gapwarden_records_ingested_total', { outcome: 'inserted' }),
      undefined,
    );
    a.metrics.close();
    await a.engine.ingest('draws', records(3));
    const later = await a.scrape();
    assert.equal(sampled(later, 'gapwarden_records_ingested_total', { outcome: 'inserted' }), 2);
    assert.equal(sampled(later, 'gapwarden_records_stored'), 3, 'gauges still follow the store');
  });

  it('produces an exposition promtool accepts', async (t) => {
    if (spawnSync('promtool', ['--version']).error) {
      t.skip('promtool not installed: apt-get install prometheus');
      return;
    }
    const { engine, metrics } = setup({
      partition: { sequence: { start: 1 } },
      sources: [upstreamSource('primary', up.url)],
      backfill: fast,
    });
    await engine.start();
    await engine.ingest('draws', [...records(1, 4), { key: 'x', partition: 'y', payload: 1 }]);
    await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to close');
    const text = await metrics.render();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool check metrics failed:\n${check.stdout}${check.stderr}`);
  });

  it('names every series by Prometheus conventions, with no label a Prometheus server sets itself', async () => {
    up.absent.add(3);
    const { engine, metrics } = setup(
      {
        partition: { sequence: { start: 1 } },
        sources: [upstreamSource('primary', up.url)],
        backfill: fast,
        collect: { schedule: '0 0 * * *' },
      },
      undefined,
      { nightly: { kind: 'reconcile', schedule: { every: '1h' } } },
    );
    await engine.start();
    await engine.ingest('draws', records(1, 5));
    await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to close');
    await engine.jobs().trigger('nightly');
    const text = await metrics.render();
    const types = families(text);
    const ours = [...types].filter(([name]) => name.startsWith('gapwarden_'));
    assert.ok(ours.length >= 20, `gapwarden's metrics are exposed (${ours.length})`);
    for (const [name, type] of ours) {
      assert.equal(name.endsWith('_total'), type === 'counter', `${name} (${type}): _total on counters only`);
      const words = name
        .replace(/_total$/, '')
        .split('_')
        .slice(1);
      assert.ok(
        words.some((w) => UNIT_WORDS.has(w)),
        `${name} names its unit or what it counts (one of ${[...UNIT_WORDS].join(', ')})`,
      );
      if (type === 'histogram' || words.some((w) => ['duration', 'lateness', 'age', 'freshness'].includes(w)))
        assert.ok(name.endsWith('_seconds'), `${name} measures time: in seconds`);
    }
    const samples = parseExposition(text);
    for (const s of samples) {
      for (const label of Object.keys(s.labels)) {
        assert.match(
          label,
          /^[a-z][a-z0-9_]*$/,
          `${s.name}: label ${label} in snake_case, not reserved (__)`,
        );
        if (label === 'le' && s.name.endsWith('_bucket')) continue;
        assert.ok(
          !RESERVED_LABELS.has(label),
          `${s.name} carries the label "${label}" a Prometheus server sets`,
        );
      }
    }
    assert.equal(sampled(samples, 'gapwarden_job_runs_total', { job_id: 'nightly', outcome: 'ok' }), 1);
    assert.equal(sampled(samples, 'gapwarden_job_runs_total', { job_id: 'collect:draws', outcome: 'ok' }), 0);
  });

  it('counts the runs missed while down even when the metrics are made after start', async () => {
    const clock = createManualClock(Date.UTC(2025, 0, 1, 12, 0, 30));
    const { engine } = setup({ partition: { sequence: {} } }, clock, {
      probe: { kind: 'reconcile', schedule: { every: '1m' }, catchUp: 'skip' },
    });
    // The metrics `setup` made see everything; these are made late, as an embedder might.
    await engine.open();
    const jobStore = engine.module(jobsModule).store;
    await jobStore.ensureJobs(['probe'], clock.now());
    await jobStore.recordSkippedRun('probe', Date.UTC(2025, 0, 1, 11, 50), 'last run before going down', 0);
    await engine.start({ collect: true, backfill: false });
    const late = createMetrics({ engine, collectProcessMetrics: false });
    open.push(late);
    const m = parseExposition(await late.render());
    // 11:51 through 12:00.
    assert.equal(sampled(m, 'gapwarden_job_missed_runs_total', { job_id: 'probe' }), 10);
  });

  it('observes each partition from the moment its gap was found to the moment it was stored', async () => {
    const clock = createManualClock(Date.UTC(2025, 0, 1));
    const { engine, scrape } = setup({ partition: { sequence: {} }, backfill: { enabled: false } }, clock);
    await engine.open();
    await engine.ingest('draws', records(1, 4));
    clock.advance(20_000);
    await engine.ingest('draws', records(2));
    clock.advance(70_000);
    await engine.ingest('draws', records(3));
    const m = await scrape();
    const ingest = { dataset: 'draws', filled_by: 'ingest' };
    assert.equal(sampled(m, 'gapwarden_gap_detect_to_fill_seconds_count', ingest), 2);
    assert.equal(sampled(m, 'gapwarden_gap_detect_to_fill_seconds_sum', ingest), 20 + 90);
    assert.equal(sampled(m, 'gapwarden_gap_detect_to_fill_seconds_bucket', { ...ingest, le: '30' }), 1);
    assert.equal(sampled(m, 'gapwarden_gap_detect_to_fill_seconds_bucket', { ...ingest, le: '60' }), 1);
    assert.equal(sampled(m, 'gapwarden_gap_detect_to_fill_seconds_bucket', { ...ingest, le: '300' }), 2);
    const backfill = { dataset: 'draws', filled_by: 'backfill' };
    assert.equal(sampled(m, 'gapwarden_gap_detect_to_fill_seconds_count', backfill), 0);
  });

  it('observes the partitions the backfill fills, but not those of a gap already open at start', async () => {
    const dataset = {
      partition: { sequence: { start: 1 } },
      sources: [upstreamSource('primary', up.url)],
      backfill: fast,
    };
    // A process finds the gap 2..4 and stops before filling it.
    const first = setup({ ...dataset, backfill: { enabled: false } });
    await first.engine.open();
    await first.engine.ingest('draws', records(1, 5));
    await first.engine.stop();

    const second = setup(dataset, undefined, undefined, first.path);
    await second.engine.start();
    await second.engine.ingest('draws', records(9));
    await waitFor(async () => (await second.engine.gaps('draws')).length === 0, 'both gaps to close');
    const m = await second.scrape();
    assert.equal(sampled(m, 'gapwarden_backfill_attempts_total', { outcome: 'filled' }), 6);
    const backfill = { dataset: 'draws', filled_by: 'backfill' };
    assert.equal(
      sampled(m, 'gapwarden_gap_detect_to_fill_seconds_count', backfill),
      3,
      'only 6..8: when 2..4 was found is not known to this process',
    );
    assert.ok((sampled(m, 'gapwarden_gap_detect_to_fill_seconds_sum', backfill) ?? -1) >= 0);
  });
});

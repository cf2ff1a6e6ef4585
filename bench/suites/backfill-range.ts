// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are gapwarden request templates, not JS template literals.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileConfig } from '../../src/config/compile-config.js';
import { createEngine } from '../../src/engine/engine.js';
import { silentLogger } from '../../src/internal/logger.js';
import { sqliteStoreFiles } from '../../src/store/sqlite/sqlite-store-file.js';
import { payloadOf, startTestUpstream, type TestUpstream } from '../../test/helpers/test-upstream.js';
import { type Figure, median, type SuiteResult, suite } from '../lib/report.js';

const PARTITIONS = 10_000;
/** The same limit for both sides; by key it makes the fill take ~20 s, which is what it measures. */
const RATE = 500;
const RANGE_SIZE = 100;
const ROUNDS = Number(process.env.BACKFILL_RANGE_BENCH_ROUNDS ?? 3);

type Side = 'key' | 'range';

interface Round {
  side: Side;
  ms: number;
  requests: number;
}

/**
 * One fill of a 10,000-partition gap through the engine (SQLite file store,
 * `serve`'s backfill worker, default concurrency 4) from a local HTTP upstream,
 * from storing the record that reveals the gap to the backfill run finishing.
 */
async function fill(up: TestUpstream, side: Side): Promise<Round> {
  const file = join(tmpdir(), `gapwarden-bench-range-${process.pid}-${side}.db`);
  for (const f of sqliteStoreFiles(file)) rmSync(f, { force: true });
  const config = compileConfig(
    {
      store: { sqlite: file },
      datasets: {
        draws: {
          partition: { sequence: { start: 0 } },
          sources: [
            {
              name: 'local',
              type: 'http',
              baseUrl: up.url,
              latest: { url: '/latest' },
              byKey: { url: '/history', query: { issue: '${partition}' } },
              byRange: {
                url: '/range',
                query: { from: '${from}', to: '${to}', page: '${page}' },
                pagination: { pageStart: 1, maxPages: 100, lastPage: { path: 'more', equals: false } },
              },
              response: { records: 'data', key: 'issue' },
            },
          ],
          backfill: { ratePerSecond: RATE, rangeSize: side === 'range' ? RANGE_SIZE : 1 },
        },
      },
    },
    { env: {} },
  );
  const engine = createEngine({ config, logger: silentLogger });
  await engine.start({ backfill: true, collect: false });
  const before = up.calls.history.length + up.calls.range.length;
  const finished = new Promise<void>((resolve) => engine.events.on('backfill:run-finished', () => resolve()));
  const rec = (p: number) => ({ key: String(p), partition: p, payload: payloadOf(p) });
  const t0 = performance.now();
  await engine.ingest('draws', [rec(0), rec(PARTITIONS + 1)]);
  await finished;
  const ms = performance.now() - t0;
  const stats = await engine.store.stats('draws');
  await engine.stop();
  for (const f of sqliteStoreFiles(file)) rmSync(f, { force: true });
  if (stats.records !== PARTITIONS + 2) throw new Error(`${side}: stored ${stats.records} records`);
  return { side, ms, requests: up.calls.history.length + up.calls.range.length - before };
}

/**
 * Filling 10,000 missing partitions by range (100 per request, pages of 100)
 * against by key, at the same rate limit, alternating the order per round.
 */
export async function runBackfillRangeBench(): Promise<SuiteResult> {
  const up = await startTestUpstream(Array.from({ length: PARTITIONS + 2 }, (_, i) => i));
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order: Side[] = r % 2 === 0 ? ['key', 'range'] : ['range', 'key'];
    for (const side of order) {
      const round = await fill(up, side);
      rounds.push(round);
      console.error(`  round ${r + 1} ${side}: ${Math.round(round.ms)} ms, ${round.requests} requests`);
    }
  }
  await up.close();
  const of = (side: Side, pick: (r: Round) => number) =>
    median(rounds.filter((r) => r.side === side).map(pick));
  const keyMs = of('key', (r) => r.ms);
  const rangeMs = of('range', (r) => r.ms);
  const keyRequests = of('key', (r) => r.requests);
  const rangeRequests = of('range', (r) => r.requests);
  const figures: Figure[] = [
    {
      name: `fill ${PARTITIONS.toLocaleString('en-US')} missing partitions by range (${RANGE_SIZE} per request), wall time`,
      value: rangeMs,
      unit: 'ms',
      baseline: { name: 'by key', value: keyMs },
      ratio: rangeMs / keyMs,
    },
    {
      name: 'requests to the upstream by range',
      value: rangeRequests,
      unit: 'requests',
      baseline: { name: 'by key', value: keyRequests },
      ratio: rangeRequests / keyRequests,
    },
    {
      name: `by key: requests per second achieved (limit ${RATE})`,
      value: (keyRequests * 1000) / keyMs,
      unit: 'requests/s',
    },
    { name: 'by range: records stored per second', value: (PARTITIONS * 1000) / rangeMs, unit: 'records/s' },
  ];
  return suite('backfill-range', figures, [
    `ratePerSecond ${RATE} (burst ${RATE}), concurrency 4 on both sides; rangeSize ${RANGE_SIZE} against 1`,
    'engine with a SQLite file store (durability full), local HTTP upstream on 127.0.0.1 serving byKey and byRange in pages of 100 with a `more` flag',
    'wall time: from storing the record that reveals the gap to the backfill run finishing; requests: every request the upstream received',
    ...rounds.map((r) => `${r.side}: ${Math.round(r.ms)} ms, ${r.requests} requests`),
  ]);
}

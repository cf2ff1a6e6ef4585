import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileConfig } from '../../src/config/compile-config.js';
import { createEngine } from '../../src/engine/engine.js';
import { silentLogger } from '../../src/internal/logger.js';
import { sqliteStoreFiles } from '../../src/store/sqlite/sqlite-store-file.js';
import { payloadOf, startTestUpstream } from '../../test/helpers/test-upstream.js';
import { type Figure, median, percentile, type SuiteResult, suite } from '../lib/report.js';

const GAPS = 200;

/**
 * From storing the record that reveals a gap (the `gap:opened` event, emitted
 * after the store commits) to storing the missing record (`gap:closed`).
 */
export async function runDetectToFillBench(): Promise<SuiteResult> {
  const periods = Array.from({ length: GAPS * 3 + 3 }, (_, i) => i);
  const up = await startTestUpstream(periods);
  const file = join(tmpdir(), `gapwarden-bench-d2f-${process.pid}.db`);
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
              response: { records: 'data', key: 'issue' },
            },
          ],
          backfill: { ratePerSecond: 10_000 },
        },
      },
    },
    { env: {} },
  );
  const engine = createEngine({ config, logger: silentLogger });
  await engine.start({ backfill: true });
  const openedAt = new Map<number | string, number>();
  const latencies: number[] = [];
  let closed: (() => void) | undefined;
  engine.events.on('gap:opened', (e) => openedAt.set(e.from, performance.now()));
  engine.events.on('gap:closed', (e) => {
    const t0 = openedAt.get(e.partition);
    if (t0 !== undefined) latencies.push(performance.now() - t0);
    closed?.();
  });
  const rec = (p: number) => ({ key: String(p), partition: p, payload: payloadOf(p) });
  await engine.ingest('draws', [rec(0)]);
  for (let i = 0; i < GAPS; i++) {
    const base = i * 3;
    await engine.ingest('draws', [rec(base + 1)]);
    const done = new Promise<void>((r) => (closed = r));
    await engine.ingest('draws', [rec(base + 3)]); // base + 2 is missing
    await done;
  }
  await engine.stop();
  await up.close();
  for (const f of sqliteStoreFiles(file)) rmSync(f, { force: true });

  // Floor: one HTTP round trip to the same upstream.
  const floorUp = await startTestUpstream([1]);
  const rtt: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await (await fetch(`${floorUp.url}/history?issue=1`)).json();
    rtt.push(performance.now() - t0);
  }
  await floorUp.close();

  const p50 = median(latencies);
  const figures: Figure[] = [
    {
      name: 'detect-to-fill latency p50',
      value: p50,
      unit: 'ms',
      baseline: { name: 'one HTTP round trip to the upstream (p50)', value: median(rtt) },
      ratio: p50 / median(rtt),
      target: '< 250 ms',
      met: p50 < 250,
    },
    { name: 'detect-to-fill latency p95', value: percentile(latencies, 95), unit: 'ms' },
    { name: 'detect-to-fill latency max', value: Math.max(...latencies), unit: 'ms' },
  ];
  return suite('detect-to-fill', figures, [
    `${latencies.length} gaps, one at a time, local HTTP upstream, SQLite file store`,
  ]);
}

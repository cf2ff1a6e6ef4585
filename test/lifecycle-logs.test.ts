// What an operator reads in the JSON logs when a gap is filled (by backfill or by a
// late record) and when a due job run is skipped: the real logger, its lines captured.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createLogger } from '../src/logging/json-logger.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';
import { payloadOf, startTestUpstream, type TestUpstream, upstreamSource } from './helpers/test-upstream.js';

const INFO = 30;
const DEBUG = 20;

interface Line {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const records = (...ps: number[]) => ps.map((p) => ({ key: String(p), partition: p, payload: payloadOf(p) }));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('lifecycle logs: gaps filled', () => {
  let up: TestUpstream;
  let tmp: ReturnType<typeof tempDir>;
  let engines: Engine[] = [];

  before(async () => {
    up = await startTestUpstream(range(1, 100));
    tmp = tempDir();
  });
  after(async () => {
    await up.close();
    tmp.cleanup();
  });
  afterEach(async () => {
    for (const e of engines) await e.stop();
    engines = [];
  });

  let n = 0;
  function setup(dataset: Record<string, unknown>): { engine: Engine; lines: Line[] } {
    const config = compileConfig(
      { store: { sqlite: join(tmp.dir, `logs${++n}.db`) }, datasets: { draws: dataset } },
      { env: {} },
    );
    const lines: Line[] = [];
    const logger = createLogger('debug', { write: (text: string) => void lines.push(JSON.parse(text)) });
    const engine = createEngine({ config, logger, pollMs: 20 });
    engines.push(engine);
    return { engine, lines };
  }
  const filled = (lines: Line[]) => lines.filter((l) => l.msg === 'gap filled');

  it('logs each partition a small backfill fills at info, with its source, time and run', async () => {
    const { engine, lines } = setup({
      partition: { sequence: { start: 1 } },
      sources: [upstreamSource('primary', up.url)],
      backfill: { ratePerSecond: 1000 },
    });
    await engine.start();
    await engine.ingest('draws', records(1, 2, 3, 7));
    await waitFor(async () => (await engine.gaps('draws')).length === 0, 'the gap to close');
    await engine.backfillIdle();
    const [run] = await engine.store.listBackfillRuns('draws', 1);
    const seen = filled(lines).sort((a, b) => Number(a.partition) - Number(b.partition));
    assert.deepEqual(
      seen.map(({ level, msg, dataset, partition, by, source, runId }) => ({
        level,
        msg,
        dataset,
        partition,
        by,
        source,
        runId,
      })),
      [4, 5, 6].map((partition) => ({
        level: INFO,
        msg: 'gap filled',
        dataset: 'draws',
        partition,
        by: 'backfill',
        source: 'primary',
        runId: run?.id,
      })),
    );
    for (const l of seen) assert.equal(typeof l.ms, 'number');
  });

  it('a large backfill logs its first partitions at info, the rest at debug, and one summary line', async () => {
    const { engine, lines } = setup({
      partition: { sequence: { start: 1 } },
      sources: [upstreamSource('primary', up.url)],
      backfill: { ratePerSecond: 1000, concurrency: 8 },
    });
    await engine.start();
    await engine.ingest('draws', records(1, 42));
    await waitFor(
      () => lines.some((l) => l.msg === 'backfill run finished'),
      'the backfill run to finish',
      15_000,
    );
    const seen = filled(lines);
    assert.equal(seen.length, 40, 'every filled partition has a line');
    assert.equal(seen.filter((l) => l.level === INFO).length, 10);
    assert.equal(seen.filter((l) => l.level === DEBUG).length, 30);
    const summary = lines.filter((l) => l.msg === 'backfill run finished');
    assert.deepEqual(
      summary.map((l) => [l.level, l.dataset, l.filled, l.requested]),
      [[INFO, 'draws', 40, 40]],
    );
  });

  it('logs a gap a late record fills at info, by ingest', async () => {
    const { engine, lines } = setup({ partition: { sequence: { start: 1 } } });
    await engine.start();
    await engine.ingest('draws', records(1, 4));
    await engine.ingest('draws', records(3, 2), { source: 'late-feed' });
    assert.deepEqual(
      filled(lines).map(({ level, dataset, partition, by, source }) => ({
        level,
        dataset,
        partition,
        by,
        source,
      })),
      [
        { level: INFO, dataset: 'draws', partition: 3, by: 'ingest', source: 'late-feed' },
        { level: INFO, dataset: 'draws', partition: 2, by: 'ingest', source: 'late-feed' },
      ],
    );
  });

  it('a bulk load that fills many partitions logs a few of them and how many more', async () => {
    const { engine, lines } = setup({ partition: { sequence: { start: 1 } } });
    await engine.start();
    await engine.ingest('draws', records(1, 50));
    await engine.ingest('draws', records(...range(2, 49)));
    const one = filled(lines);
    assert.equal(one.length, 10);
    assert.ok(one.every((l) => l.level === INFO && l.by === 'ingest'));
    const more = lines.filter((l) => l.msg === 'gaps filled');
    assert.deepEqual(
      more.map((l) => [l.level, l.dataset, l.by, l.count, l.more]),
      [[INFO, 'draws', 'ingest', 48, 38]],
    );
  });
});

// A day of a 2012 calendar dataset replayed today: the gap's age counts from
// when gapwarden found it (seconds), not from the partition's own date (years);
// the partition's date is kept as its own field. Through the engine, the HTTP
// API, the metrics, a restart and the CLI.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/load-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { createMetrics } from '../src/server/metrics.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const day = (date: string) => ({ key: date, partition: date, payload: { date } });
const MARCH_2 = Date.UTC(2012, 2, 2);

describe('gap age: from detection, not from the partition date', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  // "Now" is this test's real time, so that the CLI (on the system clock) reads an age of seconds too.
  const found = Math.floor(Date.now() / 1000) * 1000;
  const clock = createManualClock(found);
  const engines: Engine[] = [];

  before(() => {
    tmp = tempDir('gapwarden-gap-age-');
    file = join(tmp.dir, 'gapwarden.config.yaml');
    writeFileSync(
      file,
      `store: { sqlite: replay.db }
datasets:
  replay:
    partition: { calendar: { every: 1d, timezone: UTC } }
`,
    );
  });
  after(async () => {
    for (const e of engines) await e.stop().catch(() => {});
    tmp.cleanup();
  });

  const open = async () => {
    const engine = createEngine({ config: await loadConfig({ config: file }), clock, logger: silentLogger });
    engines.push(engine);
    return engine;
  };

  it('a 2012 gap found now is seconds old, in the API and the metrics, and keeps its partition date', async () => {
    const engine = await open();
    const metrics = createMetrics({ engine, collectProcessMetrics: false });
    await engine.open();
    await engine.ingest('replay', [day('2012-03-01'), day('2012-03-05')]);
    clock.advance(90_000);

    const [gap] = await engine.gaps('replay');
    assert.deepEqual(gap, {
      from: '2012-03-02',
      to: '2012-03-04',
      fromOrdinal: gap?.fromOrdinal,
      toOrdinal: gap?.toOrdinal,
      count: 3,
      detectedAt: found,
      ageSeconds: 90,
      partitionAt: MARCH_2,
    });

    const app = createApp({ engine, server: engine.config.server, version: 'test' });
    const body = (await (await app.request('/api/datasets/replay/gaps')).json()) as {
      gaps: { ageSeconds: number; detectedAt: number; partitionAt: number }[];
    };
    assert.equal(body.gaps[0]?.ageSeconds, 90);
    assert.equal(body.gaps[0]?.detectedAt, found);
    assert.equal(new Date(body.gaps[0]?.partitionAt ?? 0).toISOString(), '2012-03-02T00:00:00.000Z');

    const text = await metrics.render();
    assert.match(text, /^gapwarden_oldest_gap_age_seconds\{dataset="replay"\} 90$/m);
    metrics.close();
    await engine.stop();
  });

  it('after a restart, the age counts from when the record after the gap was stored', async () => {
    clock.advance(60_000);
    const engine = await open();
    await engine.open();
    const [gap] = await engine.gaps('replay');
    assert.equal(gap?.detectedAt, found);
    assert.equal(gap?.ageSeconds, 150);
    assert.equal(gap?.partitionAt, MARCH_2);

    // A gap this process finds after the restart has its own time.
    await engine.ingest('replay', [day('2012-03-08')]);
    clock.advance(5_000);
    const gaps = await engine.gaps('replay');
    assert.deepEqual(
      gaps.map((g) => [g.from, g.to, g.ageSeconds]),
      [
        ['2012-03-02', '2012-03-04', 155],
        ['2012-03-06', '2012-03-07', 5],
      ],
    );
    await engine.stop();
  });

  it('`gaps` in the CLI shows the same: detection time and age, the partition date apart', async () => {
    const json = await runCli(['gaps', 'replay', '--config', file, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const [first] = JSON.parse(json.stdout).gaps as {
      from: string;
      detectedAt: number;
      ageSeconds: number;
      partitionAt: number;
    }[];
    assert.equal(first?.from, '2012-03-02');
    assert.equal(first?.detectedAt, found);
    assert.equal(first?.partitionAt, MARCH_2);
    assert.ok(
      (first?.ageSeconds ?? Number.POSITIVE_INFINITY) < 86_400,
      `seconds since the test found it, not years: ${first?.ageSeconds}`,
    );

    const table = await runCli(['gaps', 'replay', '--config', file]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /DETECTED/);
    assert.match(table.stdout, new RegExp(new Date(found).toISOString().slice(0, 19)));
    assert.doesNotMatch(table.stdout, /\d{3,} ?d\b/, 'no age in thousands of days');
  });
});

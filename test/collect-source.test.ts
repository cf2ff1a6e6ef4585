// A collect job pinned to one of its dataset's sources calls that source only:
// no failover to the others, and its failures name it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { tempDir } from './helpers/temp-dir.js';
import { startTestUpstream, type TestUpstream, upstreamSource } from './helpers/test-upstream.js';

describe('a collect job naming one source', () => {
  let primary: TestUpstream;
  let mirror: TestUpstream;
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine | undefined;

  before(async () => {
    primary = await startTestUpstream([1, 2, 3]);
    mirror = await startTestUpstream([1, 2, 3, 4]);
    tmp = tempDir();
  });
  after(async () => {
    await primary.close();
    await mirror.close();
    tmp.cleanup();
  });
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
    primary.calls.latest = 0;
    mirror.calls.latest = 0;
    mirror.down = false;
  });

  let n = 0;
  const open = async (dataset: Record<string, unknown>, jobs: Record<string, unknown> = {}) => {
    const config = compileConfig(
      {
        store: { sqlite: join(tmp.dir, `c${++n}.db`) },
        datasets: {
          draws: {
            partition: { sequence: { start: 1 } },
            sources: [upstreamSource('primary', primary.url), upstreamSource('mirror', mirror.url)],
            backfill: { enabled: false },
            ...dataset,
          },
        },
        jobs,
      },
      { env: {} },
    );
    engine = createEngine({ config, logger: silentLogger });
    await engine.open();
    return engine;
  };

  it('calls only the source it names, even while the first one is healthy', async () => {
    const e = await open(
      {},
      {
        'from-mirror': { kind: 'collect', dataset: 'draws', source: 'mirror', schedule: { every: '1h' } },
      },
    );
    const run = await e.jobs().trigger('from-mirror');
    assert.equal(run.state, 'ok', run.error ?? '');
    assert.equal(primary.calls.latest, 0, 'the first source in the chain was not called');
    assert.equal(mirror.calls.latest, 1);
    const [record] = await e.store.listRecords('draws', { limit: 1 });
    assert.deepEqual([record?.key, record?.source], ['4', 'mirror']);
  });

  it('fails naming the source when it fails, without falling over to the others', async () => {
    mirror.down = true;
    const e = await open(
      {},
      {
        'from-mirror': { kind: 'collect', dataset: 'draws', source: 'mirror', schedule: { every: '1h' } },
      },
    );
    const run = await e.jobs().trigger('from-mirror');
    assert.equal(run.state, 'failed');
    assert.match(run.error ?? '', /mirror/);
    assert.doesNotMatch(run.error ?? '', /primary/);
    assert.match(run.error ?? '', /HTTP 500/, 'the failure is the one the mirror sent');
    assert.equal(primary.calls.latest, 0, 'no failover to the healthy source');
  });

  it("the dataset's own collect schedule can name its source too", async () => {
    const e = await open({ collect: { schedule: '0 0 * * *', source: 'mirror' } });
    const run = await e.jobs().trigger('collect:draws');
    assert.equal(run.state, 'ok', run.error ?? '');
    assert.deepEqual([primary.calls.latest, mirror.calls.latest], [0, 1]);
  });

  it('without a source, a collect job walks the failover chain from the first source', async () => {
    const e = await open({ collect: { schedule: '0 0 * * *' } });
    const run = await e.jobs().trigger('collect:draws');
    assert.equal(run.state, 'ok', run.error ?? '');
    assert.deepEqual([primary.calls.latest, mirror.calls.latest], [1, 0]);
  });
});

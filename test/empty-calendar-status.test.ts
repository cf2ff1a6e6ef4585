// A calendar dataset with a `start` and no records yet: every partition due since the
// start is missing, so its status must not read "healthy, 100%".
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { tempDir } from './helpers/temp-dir.js';

/** Ten and a half days after 2026-03-01 00:00 UTC: eleven daily partitions are due. */
const NOW = Date.parse('2026-03-11T12:00:00Z');

describe('status of a dataset with nothing stored yet', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engines: Engine[] = [];
  before(() => {
    tmp = tempDir();
  });
  after(() => tmp.cleanup());
  afterEach(async () => {
    for (const e of engines) await e.stop();
    engines = [];
  });

  let n = 0;
  async function statusOf(dataset: Record<string, unknown>, records: unknown[] = []) {
    const config = compileConfig(
      { store: { sqlite: join(tmp.dir, `empty${++n}.db`) }, datasets: { daily: dataset } },
      { env: {} },
    );
    const engine = createEngine({ config, clock: createManualClock(NOW), logger: silentLogger });
    engines.push(engine);
    await engine.open();
    if (records.length > 0) await engine.ingest('daily', records);
    const report = await engine.status();
    const d = report.datasets[0]!;
    return {
      healthy: report.healthy,
      status: d.status,
      reasons: d.reasons,
      coveragePercent: d.coveragePercent,
      missingPartitions: d.missingPartitions,
      openGaps: d.openGaps,
    };
  }
  const daily = (extra: Record<string, unknown> = {}) => ({
    partition: { calendar: { every: '1d', start: '2026-03-01' } },
    ...extra,
  });

  it('a calendar with a start and no records is degraded at 0%, every partition due since the start missing', async () => {
    assert.deepEqual(await statusOf(daily()), {
      healthy: true,
      status: 'degraded',
      reasons: ['no records yet; 11 partition(s) expected since 2026-03-01'],
      coveragePercent: 0,
      missingPartitions: 11,
      openGaps: 0,
    });
  });

  it('is unhealthy once its first partition has been due longer than freshness.errorAfter', async () => {
    assert.deepEqual(await statusOf(daily({ freshness: { warnAfter: '1d', errorAfter: '2d' } })), {
      healthy: false,
      status: 'unhealthy',
      reasons: [
        'no records yet; 11 partition(s) expected since 2026-03-01 (the first due 10d 12h ago, error after 2d)',
      ],
      coveragePercent: 0,
      missingPartitions: 11,
      openGaps: 0,
    });
    // Within errorAfter of the first due partition it is only degraded.
    const young = await statusOf({
      partition: { calendar: { every: '1d', start: '2026-03-10' } },
      freshness: { errorAfter: '2d' },
    });
    assert.deepEqual(
      [young.status, young.reasons],
      ['degraded', ['no records yet; 2 partition(s) expected since 2026-03-10']],
    );
  });

  it('is healthy while its start lies ahead: nothing is expected yet', async () => {
    const ahead = await statusOf({ partition: { calendar: { every: '1d', start: '2026-04-01' } } });
    assert.deepEqual([ahead.status, ahead.coveragePercent, ahead.missingPartitions], ['healthy', 100, 0]);
  });

  it('once a record is stored, the partitions before it are an open gap as usual', async () => {
    const one = await statusOf(daily(), [{ key: '2026-03-11', partition: '2026-03-11', payload: {} }]);
    assert.deepEqual(one, {
      healthy: true,
      status: 'degraded',
      reasons: ['10 partition(s) missing in 1 gap(s)'],
      coveragePercent: 9.09,
      missingPartitions: 10,
      openGaps: 1,
    });
  });

  it('a calendar without a start, or a sequence, cannot tell what is due before its first record', async () => {
    for (const partition of [{ calendar: { every: '1d' } }, { sequence: { start: 1 } }]) {
      const s = await statusOf({ partition });
      assert.deepEqual([s.status, s.coveragePercent, s.missingPartitions], ['healthy', 100, 0]);
    }
  });
});

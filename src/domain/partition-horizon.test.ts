import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPartitioning } from './create-partitioning.js';
import { checkHorizon, type PartitionHorizon } from './partition-horizon.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const seq = (start?: number) => createPartitioning({ sequence: start === undefined ? {} : { start } });
const partitions = (count: number): PartitionHorizon => ({ kind: 'partitions', count });
const check = (
  ordinals: number[],
  newest: number | undefined,
  horizon: PartitionHorizon | undefined = partitions(100),
  partitioning = seq(1),
) =>
  checkHorizon({
    partitioning,
    horizon,
    ordinals,
    newest,
    nowMs: NOW,
    setting: 'datasets.d.partition.sequence.horizon',
  });

describe('checkHorizon', () => {
  it('refuses a partition more than the horizon ahead of the newest stored one, naming the setting', () => {
    const refused = check([20, 120, 121, 9_000_000_000], 19);
    assert.deepEqual(
      refused.map((r) => r.position),
      [3],
    );
    assert.equal(
      refused[0]?.reason,
      "partition 9000000001 is 8999999879 partitions ahead of the newest partition 122, beyond the dataset's horizon of 100; if it is real, raise datasets.d.partition.sequence.horizon (or set it to false)",
    );
  });

  it('walks forward with the batch whatever its order, and stops at the first stretch beyond the horizon', () => {
    const ordinals = [500, 300, 100, 200, 400, 901, 700];
    assert.deepEqual(
      check(ordinals, 0).map((r) => ordinals[r.position]),
      [901, 700],
    );
  });

  it('measures from the start while nothing is stored, and from the smallest partition without a start', () => {
    assert.deepEqual(
      check([150], undefined).map((r) => r.position),
      [0],
    );
    assert.deepEqual(check([5_000_000, 5_000_050], undefined, partitions(100), seq()), []);
    assert.equal(check([5_000_000, 5_000_200], undefined, partitions(100), seq()).length, 1);
  });

  it('lets everything through without a horizon', () => {
    const ordinals = [1, 9_000_000_000_000_000];
    assert.deepEqual(
      checkHorizon({
        partitioning: seq(1),
        horizon: undefined,
        ordinals,
        newest: 0,
        nowMs: NOW,
        setting: '',
      }),
      [],
    );
  });

  it('refuses a calendar partition starting more than the horizon after now', () => {
    const daily = createPartitioning({ calendar: { every: '1d', timezone: 'UTC' } });
    const day = (d: string) => daily.toOrdinal(d) as number;
    const ordinals = [day('2026-11-20'), day('2026-11-22'), day('2026-11-23'), day('2300-01-01')];
    const refused = checkHorizon({
      partitioning: daily,
      horizon: { kind: 'time', ms: 2 * 86_400_000, text: '2d' },
      ordinals,
      newest: undefined,
      nowMs: NOW,
      setting: 'datasets.d.partition.calendar.horizon',
    });
    assert.deepEqual(
      refused.map((r) => r.position),
      [2, 3],
    );
    assert.match(
      refused[0]!.reason,
      /^partition 2026-11-23 starts more than 2d from now, beyond the dataset's horizon of 2d/,
    );
  });
});

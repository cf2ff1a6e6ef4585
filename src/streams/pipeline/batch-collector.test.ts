import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createManualClock } from '../../internal/clock.js';
import { createBatchCollector } from './batch-collector.js';

const T = Date.parse('2026-01-01T00:05:00Z');

describe('the batch collector', () => {
  const setup = (expectedKeys?: string[], live: string[] = []) => {
    const clock = createManualClock(1_000_000);
    const collector = createBatchCollector({
      pipeline: 'telemetry',
      def: { expectedKeys, timeoutMs: 5000 },
      topics: ['station-data', 'station-param', 'weather'],
      clock,
      liveKeys: () => live,
    });
    return { clock, collector };
  };

  test('hands a batch over as soon as every expected key reported', () => {
    const { clock, collector } = setup(['S1', 'S2']);
    assert.equal(
      collector.record({ windowEnd: T, key: 'S1', outputs: { load: 1 }, missingTopics: [] }),
      undefined,
    );
    clock.advance(300);
    const report = collector.record({ windowEnd: T, key: 'S2', outputs: { load: 2 }, missingTopics: [] });
    assert.ok(report);
    assert.equal(report.status, 'complete');
    assert.equal(report.batchId, '2026-01-01T00:05:00.000Z');
    assert.deepEqual(report.missingKeys, []);
    assert.equal(report.availabilityRatio, 1);
    assert.equal(report.closedAt - report.openedAt, 300);
    assert.deepEqual(
      report.results.map((r) => [r.key, r.outputs.load]),
      [
        ['S1', 1],
        ['S2', 2],
      ],
    );
  });

  test('at the timeout (not a millisecond before) it hands over what arrived, naming what is missing', () => {
    const { clock, collector } = setup(['S1', 'S2', 'S3']);
    collector.record({ windowEnd: T, key: 'S1', outputs: { load: 1 }, missingTopics: [] });
    collector.record({ windowEnd: T, key: 'S2', outputs: { load: 2 }, missingTopics: ['weather'] });
    clock.advance(4999);
    assert.deepEqual(collector.tick(), []);
    assert.equal(collector.stats().open, 1);
    clock.advance(1);
    const [report, ...rest] = collector.tick();
    assert.equal(rest.length, 0);
    assert.ok(report);
    assert.equal(report.status, 'timed-out');
    assert.deepEqual(report.missingKeys, ['S3']);
    assert.deepEqual(report.missingTopics, ['weather']);
    assert.deepEqual(report.missingTopicsByKey, { S2: ['weather'] });
    // 3 keys × 3 topics expected; S1 has 3, S2 has 2, S3 none.
    assert.equal(report.availabilityRatio, 5 / 9);
    assert.deepEqual(collector.stats(), { open: 0, complete: 0, timedOut: 1, lateResults: 0 });
  });

  test('a result arriving after its batch was handed over is counted late, not a new batch', () => {
    const { clock, collector } = setup(['S1', 'S2']);
    collector.record({ windowEnd: T, key: 'S1', outputs: {}, missingTopics: [] });
    clock.advance(5000);
    assert.equal(collector.tick().length, 1);
    assert.equal(collector.record({ windowEnd: T, key: 'S2', outputs: {}, missingTopics: [] }), undefined);
    assert.equal(collector.stats().lateResults, 1);
    assert.equal(collector.stats().open, 0);
  });

  test('without a key list it waits for the keys alive when the batch opened', () => {
    const { collector } = setup(undefined, ['S1', 'S2']);
    assert.equal(collector.record({ windowEnd: T, key: 'S1', outputs: {}, missingTopics: [] }), undefined);
    const report = collector.record({ windowEnd: T, key: 'S2', outputs: {}, missingTopics: [] });
    assert.equal(report?.status, 'complete');
    assert.deepEqual(report?.results, []); // keys reported, but no module gave a result
  });

  test("the timeout defaults to the seed's 5 s", () => {
    const clock = createManualClock(0);
    const collector = createBatchCollector({
      pipeline: 'telemetry',
      def: { expectedKeys: ['S1', 'S2'] },
      topics: ['station-data'],
      clock,
      liveKeys: () => [],
    });
    collector.record({ windowEnd: T, key: 'S1', outputs: { load: 1 }, missingTopics: [] });
    clock.advance(4999);
    assert.equal(collector.tick().length, 0);
    clock.advance(1);
    const [report] = collector.tick();
    assert.equal(report?.status, 'timed-out');
    assert.equal(report?.availabilityRatio, 0.5);
  });
});

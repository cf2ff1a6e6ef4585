import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPipelineDefinition, compilePipeline } from './compile-pipeline.js';
import type { PipelineDefinition } from './pipeline-types.js';

const base: PipelineDefinition = {
  name: 'telemetry',
  keyBy: 'stationId',
  topics: [{ name: 'station-data' }, { name: 'weather', global: true }],
  window: { duration: 300_000, graceMs: 2000, quietCloseMs: 90_000 },
  cadenceMs: 60_000,
  fills: { power: 'linear', state: 'forward' },
  idleExpiryMs: 600_000,
  modules: [],
};

test('a duration window becomes cadence slots', () => {
  const cp = compilePipeline(base);
  assert.equal(cp.slots, 5);
  assert.deepEqual(cp.keyedTopics, ['station-data']);
  assert.deepEqual(cp.globalTopics, ['weather']);
  assert.equal(cp.concurrency, 16);
});

test('every problem is listed with its path, under a prefix', () => {
  const issues = checkPipelineDefinition(
    {
      ...base,
      cadenceMs: 0,
      window: { samples: 5, duration: 1000, graceMs: -1, quietCloseMs: 90_000 },
      idleExpiryMs: 1000,
      fills: { power: 'cubic' as never },
      topics: [{ name: 'weather', global: true }],
    },
    'streams.pipelines.telemetry',
  );
  const paths = issues.map((i) => i.path.replace('streams.pipelines.telemetry.', ''));
  assert.deepEqual(paths.sort(), [
    'cadenceMs',
    'fills.power',
    'idleExpiryMs',
    'topics',
    'window',
    'window.graceMs',
  ]);
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/load-config.js';
import type { StreamModuleContext } from '../config/stream-functions.js';
import { demoConfig, demoConfigFile } from './demo-config.js';
import { TELEMETRY_DATASET, TELEMETRY_PIPELINE, telemetryTopics } from './demo-telemetry-config.js';
import { anomaly, meanPower } from './telemetry-modules.js';

const base = {
  upstreamUrl: 'http://127.0.0.1:1',
  firstPeriod: 3001,
  dailyStart: '2026-11-18',
  apiPort: 0,
  token: 'a-demo-token-of-24-chars',
  receiverUrl: 'http://127.0.0.1:2',
  gatewayStart: '2026-11-29T00:00:00.000Z',
};

/** A window of 5 one-second slots whose middle sample was dropped and filled linearly. */
function context(inputs: Record<string, unknown>, tolerance?: number): StreamModuleContext {
  return {
    pipeline: TELEMETRY_PIPELINE,
    key: 'S04',
    batchId: '2026-12-01T10:00:04.000Z',
    window: {
      start: 0,
      end: 4_000,
      slots: [0, 1_000, 2_000, 3_000, 4_000],
      closedBy: 'watermark',
      topics: {
        't.telemetry': {
          present: [true, true, false, true, true],
          count: 4,
          samples: [],
          values: { power: [10, 20, 30, 40, 100] },
        },
      },
    },
    global: tolerance === undefined ? {} : { 't.config': { id: '1', time: 0, payload: { tolerance } } },
    inputs,
  };
}

describe('the demo config with the telemetry pipeline', () => {
  it('is written as a gapwarden.config.ts whose modules load and run like the functions they came from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gapwarden-demo-config-'));
    try {
      const file = join(dir, 'gapwarden.config.ts');
      const config = demoConfig({
        ...base,
        telemetry: {
          server: 'nats://127.0.0.1:4222',
          topics: telemetryTopics('t'),
          start: '2026-12-01T10:00:00Z',
        },
      });
      writeFileSync(file, demoConfigFile(config));
      const loaded = await loadConfig({ config: file });
      assert.ok(loaded.datasets.some((d) => d.name === TELEMETRY_DATASET));
      const [p] = loaded.streams.pipelines;
      assert.equal(p?.name, TELEMETRY_PIPELINE);
      const run = (name: string) => p?.modules.find((m) => m.name === name)?.run;
      const mean = meanPower(context({}));
      assert.deepEqual(mean, { mean: 40, latest: 100, samples: 4, filled: 1 });
      assert.deepEqual(run('meanPower')?.(context({})), mean);
      const health = anomaly(context({ meanPower: mean }, 0.25));
      assert.deepEqual(health, { ...mean, deviation: 1.5, tolerance: 0.25, flagged: true });
      assert.deepEqual(run('anomaly')?.(context({ meanPower: mean }, 0.25)), health);
      // No calibration yet: nothing is flagged.
      assert.equal(anomaly(context({ meanPower: mean })).flagged, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has no stream pipeline without telemetry', () => {
    const config = demoConfig(base);
    assert.equal(config.streams, undefined);
    assert.equal(Object.hasOwn(config.datasets ?? {}, TELEMETRY_DATASET), false);
  });
});

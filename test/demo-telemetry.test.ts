// The demo's station-telemetry pipeline (issue 15) on a real NATS JetStream server: a bounded run
// publishes the simulated fleet, and afterwards the demo folder shows what a user would look at —
// batch reports whose missing stations are exactly the samples the flaky stations dropped (so
// availability < 1), the per-station windows in the station-health dataset with the drops filled
// linearly, the pipeline in `gapwarden streams --json`, and no JetStream stream left behind.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import Database from 'better-sqlite3';
import {
  FLAKY_STATIONS,
  isDropped,
  TELEMETRY_STATIONS,
  telemetrySample,
} from '../src/demo/telemetry-fleet.js';
import type { TelemetrySummary } from '../src/demo/telemetry-summary.js';
import { natsStreamName } from '../src/streams/clients/nats/nats-stream-client.js';
import type { PipelineSummary } from '../src/streams/stream-summary.js';
import { runCli } from './helpers/cli.js';
import { NATS_SERVER } from './helpers/stream-servers.js';
import { tempDir } from './helpers/temp-dir.js';

interface StoredBatch {
  batchId: string;
  windowEnd: number;
  status: string;
  missingKeys: string[];
  availability: number;
}

interface HealthRecord {
  key: string;
  value: { mean: number; samples: number; filled: number; flagged: boolean };
  windowEnd: number;
}

describe('demo: station telemetry on NATS JetStream', { skip: NATS_SERVER.skip, timeout: 90_000 }, () => {
  const tmp = tempDir('gapwarden-demo-telemetry-');
  const nats = NATS_SERVER.spec.engine === 'nats' ? NATS_SERVER.spec.servers[0]! : '';
  let telemetry: Extract<TelemetrySummary, { enabled: true }>;
  let batches: StoredBatch[] = [];
  let records: HealthRecord[] = [];
  /** `gapwarden status --json` and `gapwarden streams --json` on the demo folder, run side by side. */
  let status: { datasets: { name: string; records: number; openGaps: number }[] };
  let streams: { pipelines: PipelineSummary[] };

  before(async () => {
    const res = await runCli(
      ['demo', '--dir', tmp.dir, '--for', '10s', '--api-port', '0', '--json', '--nats', nats],
      {
        timeoutMs: 80_000,
      },
    );
    assert.equal(res.code, 0, `demo failed:\n${res.stdout}\n${res.stderr}`);
    const out = JSON.parse(res.stdout);
    assert.equal(out.telemetry.enabled, true, JSON.stringify(out.telemetry));
    telemetry = out.telemetry;
    const [st, sm] = await Promise.all([
      runCli(['status', '--dir', tmp.dir, '--json']),
      runCli(['streams', '--dir', tmp.dir, '--json']),
    ]);
    assert.equal(st.code, 0, st.stderr);
    assert.equal(sm.code, 0, sm.stderr);
    status = JSON.parse(st.stdout);
    streams = JSON.parse(sm.stdout);
    const db = new Database(`${tmp.dir}/gapwarden.db`, { readonly: true });
    try {
      batches = (
        db
          .prepare(
            "SELECT batch_id, window_end, status, missing_keys, availability FROM stream_batches WHERE pipeline = 'telemetry' ORDER BY window_end",
          )
          .all() as {
          batch_id: string;
          window_end: number;
          status: string;
          missing_keys: string;
          availability: number;
        }[]
      ).map((b) => ({
        batchId: b.batch_id,
        windowEnd: b.window_end,
        status: b.status,
        missingKeys: JSON.parse(b.missing_keys),
        availability: b.availability,
      }));
      records = (
        db
          .prepare(
            "SELECT r.key, r.payload FROM records r JOIN datasets d ON d.id = r.dataset_id WHERE d.name = 'station-health'",
          )
          .all() as { key: string; payload: string }[]
      ).map((r) => ({
        key: JSON.parse(r.payload).key,
        value: JSON.parse(r.payload).value,
        windowEnd: Number(r.key.split('/').pop()),
      }));
    } finally {
      db.close();
    }
  });
  after(() => tmp.cleanup());

  it('publishes the fleet, the flaky stations dropping samples', () => {
    assert.equal(telemetry.stations, TELEMETRY_STATIONS.length);
    assert.ok(telemetry.published >= 8 * TELEMETRY_STATIONS.length * 0.9, `${telemetry.published} published`);
    assert.ok(telemetry.dropped > 0, 'the flaky stations dropped samples');
    assert.ok(telemetry.calibrations >= 1);
    assert.ok(telemetry.pipeline.acked > 0);
  });

  it('stores a batch report per second whose missing stations are the ones that dropped that sample', () => {
    assert.ok(batches.length >= 6, `${batches.length} batches stored`);
    assert.equal(telemetry.pipeline.batches, batches.length);
    // The last batches may close while the demo stops: the settled ones are compared exactly.
    for (const b of batches.slice(0, -2)) {
      const dropped = TELEMETRY_STATIONS.filter((s) => isDropped(s, b.windowEnd));
      assert.deepEqual([...b.missingKeys].sort(), dropped, `batch ${b.batchId}`);
      assert.equal(b.status, dropped.length === 0 ? 'complete' : 'timed-out', `batch ${b.batchId}`);
      // Two topics per station (telemetry and the global calibration): a missing station counts both.
      assert.equal(b.availability, 1 - dropped.length / TELEMETRY_STATIONS.length, `batch ${b.batchId}`);
    }
    const low = batches.filter((b) => b.availability < 1);
    assert.ok(low.length > 0, 'some batch is below 1');
    for (const b of low) for (const s of b.missingKeys) assert.ok(s in FLAKY_STATIONS, `${s} missing`);
    assert.equal(telemetry.pipeline.availability.lowest, Math.min(...batches.map((b) => b.availability)));
  });

  it('stores each station window in station-health, the dropped samples filled linearly', () => {
    assert.equal(records.length, telemetry.dataset.records);
    assert.ok(records.length >= 6 * (TELEMETRY_STATIONS.length - 3), `${records.length} records`);
    const first = Math.min(...records.map((r) => r.windowEnd));
    // Windows wholly after the fleet's first second, starting on a real sample: their fill is known.
    const checkable = records.filter(
      (r) => r.value.filled > 0 && r.windowEnd - 4_000 > first && telemetrySample(r.key, r.windowEnd - 4_000),
    );
    assert.ok(checkable.length > 0, 'some window has a dropped sample filled between real ones');
    for (const r of checkable) {
      const slots = [4, 3, 2, 1, 0].map(
        (k) => telemetrySample(r.key, r.windowEnd - k * 1_000)?.power ?? null,
      );
      const values = slots.map((v, i) => {
        if (v !== null) return v;
        let a = i - 1;
        while (slots[a] === null) a--;
        let b = i + 1;
        while (slots[b] === null) b++;
        return slots[a]! + ((slots[b]! - slots[a]!) * (i - a)) / (b - a);
      });
      const mean = Math.round((values.reduce((x, y) => x + y, 0) / values.length) * 100) / 100;
      assert.equal(r.value.mean, mean, `${r.key} window ending ${new Date(r.windowEnd).toISOString()}`);
      assert.equal(r.value.filled, slots.filter((v) => v === null).length);
    }
    const ds = status.datasets.find((d) => d.name === 'station-health');
    assert.ok(ds);
    assert.equal(ds.records, records.length);
    assert.equal(ds.openGaps, 0);
  });

  it('shows the pipeline in gapwarden streams --json on the demo folder', () => {
    const [p] = streams.pipelines;
    assert.ok(p);
    assert.equal(p.name, 'telemetry');
    assert.equal(p.engine, 'nats');
    assert.deepEqual(
      p.topics.map((t: { topic: string; global: boolean }) => [t.topic, t.global]),
      [
        [telemetry.subjects.telemetry, false],
        [telemetry.subjects.config, true],
      ],
    );
    assert.ok((p.topics[0]?.acked ?? 0) > 0);
    assert.equal(p.batchesLastHour, batches.length);
    assert.ok((p.availability.minLastHour ?? 1) < 1, `lowest availability ${p.availability.minLastHour}`);
    // The newest batch to close (a timed-out one may close after the next second's complete one).
    const last = batches.find((b) => b.batchId === p.lastBatch?.batchId);
    assert.equal(p.lastBatch?.availabilityRatio, last?.availability);
  });

  it('leaves no JetStream stream of its own behind', async () => {
    const nc = await connect({ servers: [nats] });
    try {
      const jsm = await jetstreamManager(nc);
      for (const subject of [telemetry.subjects.telemetry, telemetry.subjects.config]) {
        assert.equal(
          natsStreamName(subject),
          telemetry.streams.find((s) => s === natsStreamName(subject)),
        );
        await assert.rejects(jsm.streams.info(natsStreamName(subject)), `${subject} deleted`);
      }
    } finally {
      await nc.close();
    }
  });
});

// The seed's station-telemetry scenario, in process: several topics, per-station windows with fills, global
// data, two dependent modules and a batch upload with a timeout and an availability ratio.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock } from '../../internal/clock.js';
import {
  type BatchReport,
  createPipeline,
  type ModuleResultOutput,
  type PipelineOutput,
} from './pipeline.js';

const MIN = 60_000;
const T0 = Date.parse('2026-03-01T08:00:00Z');

test('station telemetry: windows with fills, global price, load → optimisation, batches with availability', async () => {
  const clock = createManualClock(T0);
  const p = createPipeline(
    {
      name: 'station-telemetry',
      keyBy: 'stationId',
      topics: [
        { name: 'REAL-STATION-DATA' },
        { name: 'SCHEDULE-STATION-PARAM' },
        { name: 'ELECTRICITY-PRICE', global: true },
      ],
      window: { samples: 5, graceMs: 30_000, quietCloseMs: 3 * MIN, closeBy: 'stream' },
      cadenceMs: MIN,
      fills: { power: 'linear', mode: 'forward', faults: 'zero' },
      idleExpiryMs: 10 * MIN,
      modules: [
        {
          name: 'operation_optimization',
          dependsOn: ['load_prediction'],
          run: (ctx) => {
            const price = ctx.global['ELECTRICITY-PRICE']?.payload.eurPerMWh as number;
            return { chargeKw: price < 100 ? (ctx.inputs.load_prediction as number) : 0 };
          },
        },
        {
          name: 'load_prediction',
          run: async (ctx) => {
            await new Promise((r) => setTimeout(r, 1)); // a model call
            const power = ctx.window.topics['REAL-STATION-DATA']!.values.power!.filter((v) => v !== null);
            return power.length === 0 ? null : (power as number[]).reduce((x, y) => x + y, 0) / power.length;
          },
        },
      ],
      batch: { expectedKeys: ['S001', 'S002', 'S003'] },
      concurrency: 2,
    },
    clock,
  );
  const outputs: PipelineOutput[] = [];
  let seq = 0;
  // The runner's loop: accept, drain, tick on its timer.
  const at = async (ms: number) => {
    clock.set(ms);
    outputs.push(...p.tick(), ...(await p.drain()));
  };
  const send = async (topic: string, minute: number, payload: Record<string, unknown>) => {
    clock.set(T0 + minute * MIN + 5000); // messages arrive 5 s after their sample time
    outputs.push(...p.accept({ topic, id: `${topic}:${++seq}`, time: T0 + minute * MIN, payload }));
    outputs.push(...(await p.drain()), ...p.tick());
  };
  await send('ELECTRICITY-PRICE', 0, { eurPerMWh: 80 });
  for (let m = 0; m < 5; m++) {
    for (const s of ['S001', 'S002', 'S003']) {
      if (s === 'S002' && m === 2) continue; // a lost sample: S002 misses batch 2, its power is interpolated
      if (s === 'S003' && m >= 3) continue; // S003 goes offline after minute 2
      await send('REAL-STATION-DATA', m, {
        stationId: s,
        power: 100 + 10 * m,
        ...(m === 0 ? { mode: 'auto' } : {}),
      });
    }
    if (m === 0) await send('SCHEDULE-STATION-PARAM', 0, { stationId: 'S001', capacityKw: 500 });
  }
  for (let s = 10; s <= 4 * 60; s += 5) await at(T0 + 4 * MIN + s * 1000); // the timer, every 5 s, to 8:08:05

  const results = outputs.filter((o): o is ModuleResultOutput => o.kind === 'result');
  const reports = outputs.flatMap((o) => (o.kind === 'batch' ? [o.report] : [])) as BatchReport[];
  const batch = (minute: number) => reports.find((r) => r.windowEnd === T0 + minute * MIN)!;

  // Minute 0: every station reported; S002 and S003 lack the param topic (3 topics × 3 stations).
  assert.equal(batch(0).status, 'complete');
  assert.deepEqual(batch(0).missingTopicsByKey, {
    S002: ['SCHEDULE-STATION-PARAM'],
    S003: ['SCHEDULE-STATION-PARAM'],
  });
  assert.equal(batch(0).availabilityRatio, 7 / 9);
  // Minute 1: complete too, although S002 skipped minute 2 and S003 went offline: closeBy 'stream' closes
  // their windows when the other stations' minute-3 messages pass the grace.
  assert.equal(batch(1).status, 'complete');
  assert.equal(batch(1).availabilityRatio, 7 / 9);
  // Minute 2: S002 lost its sample, so it has no window ending there: handed over 5 s later without it.
  assert.equal(batch(2).status, 'timed-out');
  assert.deepEqual(batch(2).missingKeys, ['S002']);
  assert.equal(batch(2).closedAt - batch(2).openedAt, 5000);
  // Minute 3: closed by quiet time for S001 and S002 (nothing came after minute 4); S003 is offline.
  assert.equal(batch(3).status, 'timed-out');
  assert.deepEqual(batch(3).missingKeys, ['S003']);
  assert.equal(batch(3).availabilityRatio, (3 + 2) / 9);
  assert.deepEqual(
    batch(3).results.map((r) => [r.key, r.outputs.operation_optimization]),
    [
      ['S001', { chargeKw: 115 }],
      ['S002', { chargeKw: 115 }],
    ],
  );
  // S002's window ending at minute 3 holds the lost minute 2 interpolated exactly: the same mean as S001.
  const w3 = results.find(
    (r) => r.key === 'S002' && r.module === 'load_prediction' && r.windowEnd === T0 + 3 * MIN,
  );
  assert.equal(w3?.value, 115);
  assert.equal(reports.length, 5);
  // Each station's optimisation ran after its load prediction with the global price; one output key each.
  const opt = results.filter((r) => r.module === 'operation_optimization' && r.status === 'ok');
  assert.equal(opt.length, 5 + 4 + 3); // S001 minutes 0–4, S002 all but 2, S003 0–2
  assert.equal(new Set(opt.map((r) => r.outputKey)).size, opt.length);
  assert.equal(p.stats().keys, 3);
});

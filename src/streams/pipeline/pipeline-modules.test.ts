import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createManualClock } from '../../internal/clock.js';
import {
  type BatchReport,
  createPipeline,
  type ModuleResultOutput,
  type PipelineDefinition,
  type PipelineModule,
  type PipelineOutput,
} from './pipeline.js';

const C = 1000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

function setup(modules: PipelineModule[], over: Partial<PipelineDefinition> = {}) {
  const clock = createManualClock(T0);
  const p = createPipeline(
    {
      name: 'telemetry',
      keyBy: 'stationId',
      topics: [{ name: 'station-data' }, { name: 'price', global: true }],
      window: { samples: 2, graceMs: 0, quietCloseMs: 30_000 },
      cadenceMs: C,
      fills: { power: 'linear' },
      idleExpiryMs: 60_000,
      modules,
      ...over,
    },
    clock,
  );
  let seq = 0;
  const send = (stationId: string, slot: number, power = slot) =>
    p.accept({
      topic: 'station-data',
      id: String(++seq),
      time: T0 + slot * C,
      payload: { stationId, power },
    });
  return { clock, p, send };
}

const byModule = (outs: PipelineOutput[]) =>
  Object.fromEntries(
    outs
      .filter((o): o is ModuleResultOutput => o.kind === 'result')
      .map((o) => [`${o.key}/${o.module}`, o.status === 'ok' ? o.value : o.status]),
  );
const reports = (outs: PipelineOutput[]): BatchReport[] =>
  outs.flatMap((o) => (o.kind === 'batch' ? [o.report] : []));

describe('the module graph at run time', () => {
  test('a module gets the results of its dependencies; outputs carry an idempotent key', () => {
    const { send } = setup([
      { name: 'optimise', dependsOn: ['load'], run: (ctx) => (ctx.inputs.load as number) * 2 },
      {
        name: 'load',
        run: (ctx) =>
          ctx.window.topics['station-data']!.values.power!.reduce((a, b) => (a as number) + (b as number), 0),
      },
    ]);
    send('S1', 0, 5);
    send('S1', 1, 7);
    const outs = send('S1', 2) as ModuleResultOutput[];
    assert.deepEqual(byModule(outs), { 'S1/load': 12, 'S1/optimise': 24 });
    assert.equal(outs[0]!.outputKey, `telemetry/load/S1/${T0 + C}`);
  });

  test('a module runs only when its inputs are ready: an empty or failed dependency skips it, the pipeline goes on', () => {
    const { send, p } = setup([
      {
        name: 'load',
        run: (ctx) => {
          if (ctx.key === 'S2') throw new Error('model file missing');
          return ctx.key === 'S3' ? null : 1;
        },
      },
      { name: 'optimise', dependsOn: ['load'], run: () => 'plan' },
      { name: 'report', run: () => 'ok' },
    ]);
    for (const k of ['S1', 'S2', 'S3']) send(k, 0);
    const outs = ['S1', 'S2', 'S3'].flatMap((k) => send(k, 1));
    assert.deepEqual(byModule(outs), {
      'S1/load': 1,
      'S1/optimise': 'plan',
      'S1/report': 'ok',
      'S2/load': 'failed',
      'S2/optimise': 'skipped',
      'S2/report': 'ok',
      'S3/load': 'empty',
      'S3/optimise': 'skipped',
      'S3/report': 'ok',
    });
    const failed = outs.find((o) => o.kind === 'result' && o.status === 'failed') as ModuleResultOutput;
    assert.equal(failed.error, 'model file missing');
    assert.equal(p.stats().moduleFailures, 1);
  });

  test('async modules run with bounded concurrency, windows of one key in order, drain returns them', async () => {
    let active = 0;
    let peak = 0;
    const order: string[] = [];
    const { send, p } = setup(
      [
        {
          name: 'load',
          run: async (ctx) => {
            active++;
            peak = Math.max(peak, active);
            await new Promise((r) => setTimeout(r, 5));
            active--;
            order.push(`${ctx.key}@${ctx.window.end - T0}`);
            return 1;
          },
        },
        { name: 'optimise', dependsOn: ['load'], run: (ctx) => `plan ${ctx.key}` },
      ],
      { concurrency: 2 },
    );
    const immediate: PipelineOutput[] = [];
    for (let slot = 0; slot < 4; slot++)
      for (const k of ['S1', 'S2', 'S3', 'S4']) immediate.push(...send(k, slot));
    assert.equal(p.stats().inFlight, 12); // 3 closed windows × 4 keys, none finished yet
    assert.deepEqual(immediate, []);
    const settledBefore = p.settled();
    assert.deepEqual(settledBefore, []); // nothing settles before its window's outputs are handed over
    const outs = await p.drain();
    assert.equal(p.stats().inFlight, 0);
    assert.equal(peak, 2);
    assert.equal(outs.length, 24);
    for (const k of ['S1', 'S2', 'S3', 'S4']) {
      const mine = order.filter((o) => o.startsWith(k));
      assert.deepEqual(mine, [`${k}@0`, `${k}@1000`, `${k}@2000`]);
    }
    assert.ok(p.settled().length > 0);
  });
});

describe('batches through the pipeline', () => {
  const modules: PipelineModule[] = [
    { name: 'load', run: (ctx) => ctx.window.topics['station-data']!.values.power!.at(-1) },
  ];

  test('one batch per window end, complete when every expected station reported', () => {
    const { send } = setup(modules, { batch: { expectedKeys: ['S1', 'S2'], timeoutMs: 5000 } });
    send('S1', 0, 10);
    send('S2', 0, 20);
    assert.deepEqual(reports(send('S1', 1, 11)), []);
    const [report] = reports(send('S2', 1, 21));
    assert.ok(report);
    assert.equal(report.status, 'complete');
    assert.equal(report.batchId, '2026-01-01T00:00:00.000Z');
    assert.deepEqual(
      report.results.map((r) => [r.key, r.outputs.load]),
      [
        ['S1', 10],
        ['S2', 20],
      ],
    );
    // No price message yet: the global topic is missing for both stations.
    assert.deepEqual(report.missingTopics, ['price']);
    assert.equal(report.availabilityRatio, 0.5);
  });

  test('a station that never reports: the batch times out after 5 s of clock time with what arrived', () => {
    const { send, p, clock } = setup(modules, {
      batch: { expectedKeys: ['S1', 'S2', 'S3'], timeoutMs: 5000 },
    });
    p.accept({ topic: 'price', id: 'p1', time: T0, payload: { eurPerMWh: 80 } });
    for (const k of ['S1', 'S2']) send(k, 0);
    for (const k of ['S1', 'S2']) send(k, 1);
    clock.advance(4999);
    assert.deepEqual(reports(p.tick()), []);
    clock.advance(1);
    const [report] = reports(p.tick());
    assert.ok(report);
    assert.equal(report.status, 'timed-out');
    assert.deepEqual(report.missingKeys, ['S3']);
    assert.deepEqual(report.missingTopics, []);
    assert.equal(report.availabilityRatio, 4 / 6);
    assert.equal(p.stats().batchesTimedOut, 1);
  });
});

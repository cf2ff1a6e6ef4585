import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createManualClock } from '../../internal/clock.js';
import { checkModuleGraph } from './module-graph.js';
import {
  createPipeline,
  PipelineConfigError,
  type PipelineDefinition,
  type PipelineModule,
} from './pipeline.js';

const mod = (name: string, dependsOn: string[] = []): PipelineModule => ({
  name,
  dependsOn,
  run: () => name,
});

const def = (modules: PipelineModule[]): PipelineDefinition => ({
  name: 'telemetry',
  keyBy: 'stationId',
  topics: [{ name: 'station-data' }],
  window: { samples: 5, graceMs: 0, quietCloseMs: 10_000 },
  cadenceMs: 1000,
  fills: {},
  idleExpiryMs: 60_000,
  modules,
});

describe('the module graph', () => {
  test('orders each module after its dependencies', () => {
    const { issues, order } = checkModuleGraph([
      mod('price', ['pv', 'soh']),
      mod('pv'),
      mod('soh', ['pv']),
      mod('load'),
    ]);
    assert.deepEqual(issues, []);
    assert.deepEqual(
      order.map((m) => m.name),
      ['pv', 'soh', 'price', 'load'],
    );
  });

  test('a cycle is a config error naming the modules around it', () => {
    const build = () =>
      createPipeline(
        def([mod('load'), mod('opt', ['load', 'price']), mod('price', ['opt'])]),
        createManualClock(0),
      );
    assert.throws(build, (err: unknown) => {
      assert.ok(err instanceof PipelineConfigError);
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.equal(err.pipeline, 'telemetry');
      assert.match(err.message, /cycle: opt → price → opt/);
      assert.equal(err.issues[0]!.path, 'modules[1].dependsOn');
      return true;
    });
  });

  test('a module depending on itself is a cycle too', () => {
    const { issues } = checkModuleGraph([mod('a', ['a'])]);
    assert.equal(issues.length, 1);
    assert.match(issues[0]!.message, /a → a/);
  });

  test('a missing module is a config error naming it and where it is used', () => {
    assert.throws(
      () => createPipeline(def([mod('load'), mod('opt', ['load', 'forecast'])]), createManualClock(0)),
      (err: unknown) => {
        assert.ok(err instanceof PipelineConfigError);
        assert.equal(err.issues.length, 1);
        assert.equal(err.issues[0]!.path, 'modules[1].dependsOn[1]');
        assert.match(err.message, /"opt" depends on "forecast", which is not declared/);
        return true;
      },
    );
  });

  test('a module declared twice is reported', () => {
    const { issues } = checkModuleGraph([mod('load'), mod('load')]);
    assert.match(issues[0]!.message, /declared twice/);
  });
});

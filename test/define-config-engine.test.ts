// A `function` job gets the whole engine, typed: the config layer only declares
// the slot (`JobFunctionEngine`), the engine fills it by declaration merging. This
// file fails `npm run typecheck` if `engine` stops being typed as the Engine.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { compileConfig, createEngine, defineConfig, type Engine } from '../src/index.js';
import { silentLogger } from '../src/internal/logger.js';
import { tempDir } from './helpers/temp-dir.js';

describe('defineConfig: a function job gets the engine', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine | undefined;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    await engine?.stop();
    tmp.cleanup();
  });

  it('typed as the Engine, and it is the running engine', async () => {
    let seen: Engine | undefined;
    const config = defineConfig({
      store: { sqlite: join(tmp.dir, 'types.db') },
      datasets: { draws: { partition: { sequence: { start: 1 } } } },
      jobs: {
        census: {
          kind: 'function',
          schedule: { every: '1h' },
          run: async ({ engine, signal }) => {
            signal.throwIfAborted();
            // Engine methods, type-checked: a bare `{}` would reject these calls.
            const report = await engine.status();
            const jobs = await engine.jobs().list();
            seen = engine;
            // @ts-expect-error the engine is typed, not `any`: no such method
            engine.noSuchMethod?.();
            return { records: report.datasets.length + jobs.length };
          },
        },
      },
    });
    engine = createEngine({ config: compileConfig(config, { env: {} }), logger: silentLogger });
    await engine.open();
    const run = await engine.jobs().trigger('census');
    assert.deepEqual([run.state, run.records], ['ok', 2]);
    assert.equal(seen, engine);
  });
});

describe('the public API exports every built-in module', () => {
  it('as <name>Module, so a library user can reach it with engine.module(...)', async () => {
    const api = (await import('../src/index.js')) as unknown as Record<string, unknown>;
    const { BUILT_IN_MODULES } = api as { BUILT_IN_MODULES: readonly { name: string }[] };
    for (const m of BUILT_IN_MODULES)
      assert.equal(api[`${m.name}Module`], m, `${m.name}Module is not exported`);
  });
});

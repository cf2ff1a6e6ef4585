// A capability is added as a module, without editing the engine, the server or
// the CLI: a module defined here, outside src/, with one job kind, one route and
// one metric, is picked up by createEngine and the HTTP server.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Gauge } from 'prom-client';
import { z } from 'zod';
import { compileConfig } from '../src/config/compile-config.js';
import type { GapwardenModule } from '../src/core/module.js';
import { BUILT_IN_MODULES } from '../src/engine/built-in-modules.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { defineRoute } from '../src/http/api-route.js';
import { ConfigError } from '../src/internal/errors.js';
import { silentLogger } from '../src/internal/logger.js';
import { type HttpServer, startHttpServer } from '../src/server/http-server.js';
import { tempDir } from './helpers/temp-dir.js';

/** What the probe module keeps while it runs. */
interface Probe {
  ran: { job: string; trigger: string }[];
}

const probeModule: GapwardenModule<Probe> = {
  name: 'probe',
  create: () => ({ ran: [] }),
  jobKinds: (_ctx, probe) => [
    {
      kind: 'probe',
      async run(job, ctx) {
        probe.ran.push({ job: job.id, trigger: ctx.trigger });
        return { records: 7 };
      },
    },
  ],
  routes: (_ctx, probe) => [
    defineRoute({
      method: 'get',
      path: '/api/probe',
      summary: 'What the probe ran',
      tag: 'probe',
      access: 'read',
      responses: {
        200: {
          description: 'runs',
          schema: z.object({ ran: z.array(z.object({ job: z.string(), trigger: z.string() })) }),
        },
      },
      handler: (c) => c.json({ ran: probe.ran }),
    }),
  ],
  metrics: (registry, _ctx, probe) => {
    new Gauge({
      name: 'gapwarden_probe_runs',
      help: 'Runs of probe jobs in this process.',
      registers: [registry],
      collect() {
        this.set(probe.ran.length);
      },
    });
    return () => registry.removeSingleMetric('gapwarden_probe_runs');
  },
  dashboard: { path: '/probe', title: 'Probe' },
};

describe('a module registered from outside the engine', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine | undefined;
  let http: HttpServer | undefined;

  const configWith = (jobs: Record<string, unknown>) =>
    compileConfig(
      {
        store: { sqlite: join(tmp.dir, 'probe.db') },
        server: { port: 0 },
        datasets: { draws: { partition: { sequence: { start: 1 } } } },
        jobs: jobs as never,
      },
      { env: {} },
    );

  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    await http?.close();
    await engine?.stop();
    http = undefined;
    engine = undefined;
    tmp.cleanup();
  });

  it('runs its job kind, answers its route, exposes its metric and lists its dashboard page', async () => {
    const config = configWith({ 'probe-nightly': { kind: 'probe', schedule: { cron: '0 3 * * *' } } });
    engine = createEngine({ config, logger: silentLogger, modules: [...BUILT_IN_MODULES, probeModule] });
    await engine.start({ backfill: false });
    http = await startHttpServer({ engine, server: config.server, version: '0.0.0-test', port: 0 });

    const run = await engine.jobs().trigger('probe-nightly');
    assert.deepEqual([run.state, run.records], ['ok', 7]);
    assert.deepEqual(engine.module(probeModule).ran, [{ job: 'probe-nightly', trigger: 'manual' }]);

    const answer = await fetch(`${http.url}/api/probe`);
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { ran: [{ job: 'probe-nightly', trigger: 'manual' }] });

    const metrics = await (await fetch(`${http.url}/metrics`)).text();
    assert.match(metrics, /^gapwarden_probe_runs 1$/m);
    // The jobs module's metrics count the probe's run like any other job's.
    assert.match(metrics, /^gapwarden_job_runs_total\{job_id="probe-nightly",outcome="ok"\} 1$/m);

    const modules = (await (await fetch(`${http.url}/api/modules`)).json()) as {
      modules: { name: string; dashboard: { path: string; title: string } | null }[];
    };
    assert.deepEqual(modules.modules, [
      { name: 'jobs', dashboard: { path: '/jobs', title: 'Jobs' } },
      { name: 'alerts', dashboard: { path: '/alerts', title: 'Alerts' } },
      { name: 'checks', dashboard: { path: '/checks', title: 'Checks' } },
      { name: 'streams', dashboard: { path: '/streams', title: 'Streams' } },
      { name: 'rollups', dashboard: { path: '/rollups', title: 'Rollups' } },
      { name: 'archive', dashboard: { path: '/archive', title: 'Archive' } },
      { name: 'probe', dashboard: { path: '/probe', title: 'Probe' } },
    ]);
    const openapi = (await (await fetch(`${http.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    assert.ok(openapi.paths['/api/probe'], 'its route is in the OpenAPI document');
  });

  it('without the module, a job of its kind is a config error naming the field', () => {
    const config = configWith({ 'probe-nightly': { kind: 'probe', schedule: { cron: '0 3 * * *' } } });
    assert.throws(
      () => createEngine({ config, logger: silentLogger }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.issues.some((i) => i.path === 'jobs.probe-nightly.kind' && /"collect"/.test(i.expected)),
    );
  });
});

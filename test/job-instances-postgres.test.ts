// Two engines on one PostgreSQL database, many jobs falling due on the same
// second: every due run starts exactly once between them. A runner claims a
// tick's runs ahead of their due time; a claim that meets the previous run of
// the job still held by the other engine must be decided when the run falls
// due (by then that run has finished), not skipped as an overlap at claim time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createEventBus } from '../src/internal/events.js';
import { silentLogger } from '../src/internal/logger.js';
import { jobsModule } from '../src/scheduler/jobs-module.js';
import type { JobRun } from '../src/scheduler/store/job-store.js';
import { storeAdapter } from './helpers/store-adapters.js';

const adapter = storeAdapter('postgres');
const JOBS = 40;
/** Each run takes 650 ms of its 1 s interval: still running when the next is claimed 500 ms ahead, done before it is due. */
const WORK_MS = 650;
const RUN_FOR_MS = 6_000;

describe('jobs: two engines on one PostgreSQL database', { skip: adapter.skip }, () => {
  let locator: string;
  before(async () => {
    locator = await adapter.createDatabase();
  });
  after(async () => {
    await adapter.dropDatabase(locator);
  });

  it('start every due run of 1 s jobs exactly once, none skipped while the other engine holds the previous run', async (t) => {
    const config = compileConfig(
      {
        datasets: {},
        server: { enabled: false },
        jobs: Object.fromEntries(
          Array.from({ length: JOBS }, (_, i) => [
            `tick${i}`,
            {
              kind: 'function',
              schedule: { every: '1s' },
              run: async () => {
                await new Promise((r) => setTimeout(r, WORK_MS));
                return { records: 1 };
              },
            },
          ]),
        ),
      },
      { env: {}, baseDir: '/tmp' },
    );
    const started = new Map<string, string[]>();
    const skipped: { dueAt: number; what: string }[] = [];
    const engines: Engine[] = [];
    try {
      for (const name of ['a', 'b']) {
        const events = createEventBus();
        events.on('job:started', (e) => {
          const key = `${e.job}@${e.dueAt}`;
          started.set(key, [...(started.get(key) ?? []), name]);
        });
        events.on('job:skipped', (e) =>
          skipped.push({ dueAt: e.dueAt, what: `${e.job}@${e.dueAt} (${name})` }),
        );
        const engine = createEngine({
          config,
          store: await adapter.open(locator),
          logger: silentLogger,
          events,
        });
        await engine.open();
        engines.push(engine);
      }
      const from = Date.now();
      await Promise.all(engines.map((e) => e.start({ collect: true })));
      await new Promise((r) => setTimeout(r, RUN_FOR_MS));
      const until = Date.now();
      const store = engines[0]!.module(jobsModule).store;
      await Promise.all(engines.map((e) => e.stopCollectors()));
      const runs: JobRun[] = [];
      for (let i = 0; i < JOBS; i++) runs.push(...(await store.listJobRuns(`tick${i}`, { limit: 100 })));

      // Every whole second from the second full one after the start (the first runs, cold, may be
      // late enough to overlap for real) to the last one before the stop, for every job.
      const seconds: number[] = [];
      for (let t = Math.ceil(from / 1000) * 1000 + 2000; t <= until - 1000; t += 1000) seconds.push(t);
      assert.ok(seconds.length >= 3, `only ${seconds.length} due times in the window`);
      const inWindow = (dueAt: number) => dueAt >= seconds[0]! && dueAt <= seconds.at(-1)!;
      assert.deepEqual(
        skipped.filter((s) => inWindow(s.dueAt)).map((s) => s.what),
        [],
        'due runs skipped as overlapping',
      );
      assert.deepEqual(
        runs.filter((r) => inWindow(r.dueAt) && r.state !== 'ok'),
        [],
        'every run finished ok, none skipped',
      );
      const twice = [...started].filter(([, by]) => by.length > 1);
      assert.deepEqual(twice, [], 'due runs started more than once');
      const unstarted: string[] = [];
      for (let i = 0; i < JOBS; i++)
        for (const t of seconds) if (!started.has(`tick${i}@${t}`)) unstarted.push(`tick${i}@${t}`);
      assert.deepEqual(unstarted, [], 'due runs never started');
      // Which engine wins each second's claim is a race: on a loaded machine the one whose timer
      // fires first may take every run, and then no run meets the other engine's previous run.
      // The assertions above hold either way; the diagnostic says which case this run was.
      const holders = new Set([...started.values()].map((by) => by[0]));
      t.diagnostic(`engines that started runs: ${[...holders].sort().join(', ')}`);
    } finally {
      for (const e of engines) await e.stop();
    }
  });
});

// The job runner with an injected clock over a real SQLite store: catch-up
// policies after downtime, pause across restarts, overlap, timeouts, retries.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { compileJobs, compileScheduler } from '../src/config/compile-jobs.js';
import type { CompiledJob } from '../src/config/compiled-config.js';
import type { JobConfig } from '../src/config/jobs-schema.js';
import { createManualClock, type ManualClock } from '../src/internal/clock.js';
import { createEventBus } from '../src/internal/events.js';
import { silentLogger } from '../src/internal/logger.js';
import { createJobRunner, type JobRunner } from '../src/scheduler/job-runner.js';
import type { JobContext } from '../src/scheduler/job-work.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

/** 2026-03-01 02:00 in Asia/Shanghai (UTC+8, no DST) = 2026-02-28T18:00Z. */
const SHANGHAI_0200 = Date.parse('2026-02-28T18:00:00Z');
const DAY = 86_400_000;

function jobsOf(defs: Record<string, JobConfig>): CompiledJob[] {
  const issues: never[] = [];
  const jobs = compileJobs({ datasets: {}, jobs: defs }, [], issues);
  assert.deepEqual(issues, []);
  return jobs;
}

describe('job runner (injected clock, real SQLite store)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let clock: ManualClock;
  let stores: Store[];
  let runners: JobRunner[];
  let calls: JobContext[];

  beforeEach(() => {
    tmp = tempDir();
    stores = [];
    runners = [];
    calls = [];
  });
  afterEach(async () => {
    for (const r of runners) await r.stop();
    for (const s of stores) await s.close();
    tmp.cleanup();
  });

  async function runnerFor(
    jobs: CompiledJob[],
    work: (ctx: JobContext) => Promise<{ records?: number }> = async () => ({}),
    settings: Partial<ReturnType<typeof compileScheduler>> = {},
  ) {
    const store = createSqliteStore({ path: join(tmp.dir, 'jobs.db'), clock });
    stores.push(store);
    await store.migrate();
    const runner = createJobRunner({
      jobs,
      store,
      clock,
      logger: silentLogger,
      events: createEventBus(),
      settings: { ...compileScheduler(undefined), shutdownGraceMs: 200, ...settings },
      work: async (_job, ctx) => {
        calls.push(ctx);
        return work(ctx);
      },
      pollMs: 60_000,
    });
    runners.push(runner);
    return { store, runner };
  }
  const settle = async (runner: JobRunner) => {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    await runner.idle();
  };
  const runsOf = async (store: Store, job: string) =>
    (await store.listJobRuns(job, { limit: 1000 })).reverse();

  const daily = (catchUp: 'skip' | 'once' | 'all') =>
    jobsOf({
      etl: {
        kind: 'function',
        run: async () => ({}),
        schedule: { cron: '0 2 * * *', timezone: 'Asia/Shanghai' },
        catchUp,
        maxCatchUp: 2,
      },
    });

  /** Runs the daily job once at 02:00, stops, comes back 3 days and 5 hours later. */
  async function downtime(catchUp: 'skip' | 'once' | 'all') {
    clock = createManualClock(SHANGHAI_0200 - 1000);
    const first = await runnerFor(daily(catchUp));
    await first.runner.start();
    clock.advance(1000);
    await waitFor(async () => (await runsOf(first.store, 'etl')).length === 1, 'the 02:00 run');
    await first.runner.stop();
    clock.set(SHANGHAI_0200 + 3 * DAY + 5 * 3_600_000);
    calls = [];
    const second = await runnerFor(daily(catchUp));
    await second.runner.start();
    await settle(second.runner);
    return { store: second.store, runner: second.runner };
  }

  it("Asia/Shanghai 02:00 daily: 'once' makes up the 3 missed days with one run, for the latest missed due time", async () => {
    const { store, runner } = await downtime('once');
    assert.deepEqual(
      calls.map((c) => [new Date(c.dueAt).toISOString(), c.trigger]),
      [['2026-03-03T18:00:00.000Z', 'catch-up']],
    );
    const runs = await runsOf(store, 'etl');
    assert.deepEqual(
      runs.map((r) => [r.trigger, r.state]),
      [
        ['schedule', 'ok'],
        ['catch-up', 'ok'],
      ],
    );
    const [view] = await runner.list();
    assert.equal(new Date(view!.nextDueAt!).toISOString(), '2026-03-04T18:00:00.000Z');
  });

  it("'all' runs each missed due time up to maxCatchUp, the most recent ones, oldest first", async () => {
    await downtime('all');
    assert.deepEqual(
      calls.map((c) => new Date(c.dueAt).toISOString()),
      ['2026-03-02T18:00:00.000Z', '2026-03-03T18:00:00.000Z'],
    );
  });

  it("'skip' runs nothing and records the missed runs as one skipped entry", async () => {
    const { store } = await downtime('skip');
    assert.deepEqual(calls, []);
    const runs = await runsOf(store, 'etl');
    assert.equal(runs.at(-1)?.state, 'skipped');
    assert.match(runs.at(-1)?.detail ?? '', /3 runs missed/);
    assert.equal((await store.loadJobState('etl'))?.lastDueAt, Date.parse('2026-03-03T18:00:00Z'));
  });

  it('a paused job stays paused after a restart and runs again once resumed, without catching up the pause', async () => {
    clock = createManualClock(Date.parse('2026-05-01T00:00:00Z'));
    const jobs = jobsOf({ tick: { kind: 'function', run: async () => ({}), schedule: { every: '10s' } } });
    const a = await runnerFor(jobs);
    await a.runner.start();
    clock.advance(10_000);
    await waitFor(async () => calls.length === 1, 'the first run');
    await a.runner.pause('tick');
    await a.runner.stop();
    const b = await runnerFor(jobs);
    await b.runner.start();
    for (let i = 0; i < 5; i++) {
      clock.advance(10_000);
      await settle(b.runner);
    }
    assert.equal(calls.length, 1, 'no run while paused');
    assert.equal((await b.runner.list())[0]?.paused, true);
    await b.runner.resume('tick');
    clock.advance(10_000);
    await waitFor(async () => calls.length === 2, 'the run after resume');
    assert.equal(calls[1]?.trigger, 'schedule');
  });

  it("overlap 'skip' records the due run that found the previous one running; 'queue' runs it right after", async () => {
    for (const overlap of ['skip', 'queue'] as const) {
      clock = createManualClock(Date.parse('2026-05-01T00:00:00.500Z'));
      calls = [];
      let release!: () => void;
      const blocked = new Promise<void>((r) => {
        release = r;
      });
      const jobs = jobsOf({
        slow: { kind: 'function', run: async () => ({}), schedule: { every: '10s' }, overlap },
      });
      const { store, runner } = await runnerFor(jobs, async (ctx) => {
        if (ctx.dueAt === Date.parse('2026-05-01T00:00:10Z')) await blocked;
        return {};
      });
      await runner.start();
      clock.advance(9_500);
      await waitFor(async () => calls.length === 1, 'the first run');
      clock.advance(10_000);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(calls.length, 1, 'the second due run waits or is skipped while the first runs');
      release();
      await settle(runner);
      const runs = await runsOf(store, 'slow');
      if (overlap === 'skip') {
        assert.deepEqual(
          runs.map((r) => r.state),
          ['ok', 'skipped'],
        );
        assert.equal(calls.length, 1);
      } else {
        assert.deepEqual(
          runs.map((r) => r.state),
          ['ok', 'ok'],
        );
        assert.equal(calls[1]?.dueAt, Date.parse('2026-05-01T00:00:20Z'));
      }
      await runner.stop();
      await store.close();
      tmp.cleanup();
      tmp = tempDir();
    }
  });

  it('a run past its timeout is cancelled through its AbortSignal and recorded as timeout; failures retry', async () => {
    clock = createManualClock(Date.parse('2026-05-01T00:00:00.500Z'));
    const jobs = jobsOf({
      hang: { kind: 'function', run: async () => ({}), schedule: { every: '1h' }, timeout: '100ms' },
      flaky: {
        kind: 'function',
        run: async () => ({}),
        schedule: { every: '1h' },
        retries: { attempts: 2, initial: '1ms', max: '1ms' },
      },
    });
    let flakyCalls = 0;
    const { store, runner } = await runnerFor(jobs, async (ctx) => {
      if (ctx.job === 'hang') {
        await new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
        );
      }
      if (ctx.job === 'flaky' && ++flakyCalls < 3) throw new Error(`flaky attempt ${flakyCalls}`);
      return { records: 5 };
    });
    await runner.start();
    const hang = runner.trigger('hang');
    const flaky = runner.trigger('flaky');
    // The retry backoff sleeps on the injected clock.
    const ticker = setInterval(() => clock.advance(10), 5);
    const [h, f] = await Promise.all([hang, flaky]);
    clearInterval(ticker);
    assert.equal(h.state, 'timeout');
    assert.match(h.error ?? '', /timed out after 100 ms/);
    assert.deepEqual([f.state, f.records], ['ok', 5]);
    assert.deepEqual(
      calls.filter((c) => c.job === 'flaky').map((c) => c.attempt),
      [1, 2, 3],
    );
    assert.equal((await runsOf(store, 'hang'))[0]?.state, 'timeout');
    await assert.rejects(runner.trigger('nope'), /no job "nope"/);
  });
});

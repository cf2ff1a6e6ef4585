// The job runner with an injected clock over a real SQLite store: catch-up
// policies after downtime, pause across restarts, overlap, timeouts, retries.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { compileJobs, compileScheduler } from '../src/config/compile-jobs.js';
import type { CompiledJob } from '../src/config/compiled-config.js';
import type { JobContext } from '../src/config/job-function.js';
import type { JobConfig } from '../src/config/jobs-schema.js';
import type { HolderCheck } from '../src/host/process-probe.js';
import { createManualClock, type ManualClock } from '../src/internal/clock.js';
import {
  createEventBus,
  type EventBus,
  type EventName,
  type GapwardenEvents,
} from '../src/internal/events.js';
import { type Logger, silentLogger } from '../src/internal/logger.js';
import { createLogger } from '../src/logging/json-logger.js';
import { createJobRunner, type JobRunner } from '../src/scheduler/job-runner.js';
import { jobStorePart } from '../src/scheduler/store/job-store-part.js';
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
    deps: { events?: EventBus; logger?: Logger; holder?: string; holders?: HolderCheck } = {},
  ) {
    const store = createSqliteStore({ path: join(tmp.dir, 'jobs.db'), clock });
    stores.push(store);
    const jobStore = store.part(jobStorePart);
    await store.migrate();
    const runner = createJobRunner({
      jobs,
      store: jobStore,
      clock,
      logger: deps.logger ?? silentLogger,
      events: deps.events ?? createEventBus(),
      ...(deps.holder ? { holder: deps.holder } : {}),
      ...(deps.holders ? { holders: deps.holders } : {}),
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
    (await store.part(jobStorePart).listJobRuns(job, { limit: 1000 })).reverse();

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
  async function downtime(catchUp: 'skip' | 'once' | 'all', logger?: Logger) {
    clock = createManualClock(SHANGHAI_0200 - 1000);
    const first = await runnerFor(daily(catchUp));
    await first.runner.start();
    clock.advance(1000);
    await waitFor(async () => (await runsOf(first.store, 'etl')).length === 1, 'the 02:00 run');
    await first.runner.stop();
    clock.set(SHANGHAI_0200 + 3 * DAY + 5 * 3_600_000);
    calls = [];
    const second = await runnerFor(daily(catchUp), undefined, {}, logger ? { logger } : {});
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

  it("'skip' runs nothing and records (and logs) the missed runs as one skipped entry", async () => {
    const lines: Record<string, unknown>[] = [];
    const { store } = await downtime('skip', capture(lines));
    assert.deepEqual(calls, []);
    const runs = await runsOf(store, 'etl');
    assert.equal(runs.at(-1)?.state, 'skipped');
    assert.match(runs.at(-1)?.detail ?? '', /3 runs missed/);
    assert.equal(
      (await store.part(jobStorePart).loadJobState('etl'))?.lastDueAt,
      Date.parse('2026-03-03T18:00:00Z'),
    );
    const line = lines.find((l) => l.msg === 'job run skipped');
    assert.deepEqual(line && [line.level, line.job, line.dueAt, line.reason, line.detail], [
      30,
      'etl',
      '2026-03-03T18:00:00.000Z',
      'catch-up',
      '3 runs missed while down (catch-up: skip)',
    ]);
  });

  it('a paused job stays paused after a restart and runs again once resumed, without catching up the pause', async () => {
    // Half a second past a due time, so exactly one run falls due per advance (starting on a due
    // time made two due at once, and whether they overlapped depended on the order of microtasks).
    clock = createManualClock(Date.parse('2026-05-01T00:00:00.500Z'));
    const jobs = jobsOf({ tick: { kind: 'function', run: async () => ({}), schedule: { every: '10s' } } });
    const a = await runnerFor(jobs);
    await a.runner.start();
    clock.advance(10_000);
    await waitFor(async () => calls.length === 1, 'the first run');
    await a.runner.pause('tick');
    await a.runner.stop();
    const b = await runnerFor(jobs);
    await b.runner.start();
    const firstDue = Date.parse('2026-05-01T00:00:20Z');
    for (let i = 1; i <= 5; i++) {
      clock.advance(10_000);
      // The schedule has moved past the due time: it was handled, and not run, while paused.
      await waitFor(
        async () => (await b.runner.list())[0]?.nextDueAt === firstDue + i * 10_000,
        `due time ${i} to pass`,
      );
    }
    assert.equal(calls.length, 1, 'no run while paused');
    assert.equal((await b.runner.list())[0]?.paused, true);
    await b.runner.resume('tick');
    clock.advance(10_000);
    await waitFor(async () => calls.length === 2, 'the run after resume');
    assert.equal(calls[1]?.trigger, 'schedule');
    // Every run this runner started is finished and in the history: none for the paused due times.
    await b.runner.idle();
    assert.deepEqual(
      (await runsOf(b.store, 'tick')).map((r) => [new Date(r.dueAt).toISOString(), r.state]),
      [
        ['2026-05-01T00:00:10.000Z', 'ok'],
        ['2026-05-01T00:01:10.000Z', 'ok'],
      ],
    );
  });

  /** Resolves with the next `name` event that `match` accepts. */
  const nextEvent = <K extends EventName>(
    bus: EventBus,
    name: K,
    match: (e: GapwardenEvents[K]) => boolean = () => true,
  ) =>
    new Promise<GapwardenEvents[K]>((resolve) => {
      const off = bus.on(name, (e) => {
        if (!match(e)) return;
        off();
        resolve(e);
      });
    });
  /** A JSON logger whose lines land in `lines`. */
  const capture = (lines: Record<string, unknown>[]) =>
    createLogger('debug', { write: (text: string) => void lines.push(JSON.parse(text)) });
  const TEN = Date.parse('2026-05-01T00:00:10Z');
  const TWENTY = Date.parse('2026-05-01T00:00:20Z');

  /** A job every 10 s whose run due at :10 blocks until `release`; the clock half a second before it. */
  async function slowJob(overlap: 'skip' | 'queue', deps: { events: EventBus; logger?: Logger }) {
    clock = createManualClock(Date.parse('2026-05-01T00:00:00.500Z'));
    let release!: () => void;
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    const jobs = jobsOf({
      slow: { kind: 'function', run: async () => ({}), schedule: { every: '10s' }, overlap },
    });
    const { store, runner } = await runnerFor(
      jobs,
      async (ctx) => {
        if (ctx.dueAt === TEN) await blocked;
        return {};
      },
      {},
      { ...deps, holder: 'this-process' },
    );
    await runner.start();
    clock.advance(9_500);
    await waitFor(async () => calls.length === 1, 'the first run');
    return { store, runner, release };
  }

  it("overlap 'skip' records and logs the due run that found the previous one running", async () => {
    const events = createEventBus();
    const lines: Record<string, unknown>[] = [];
    const { store, runner, release } = await slowJob('skip', { events, logger: capture(lines) });
    const skipped = nextEvent(events, 'job:skipped');
    clock.advance(10_000);
    assert.deepEqual(await skipped, { job: 'slow', dueAt: TWENTY, reason: 'overlap' });
    assert.equal(calls.length, 1, 'the skipped run did not start');
    release();
    await settle(runner);
    const runs = await runsOf(store, 'slow');
    assert.deepEqual(
      runs.map((r) => [r.state, new Date(r.dueAt).toISOString()]),
      [
        ['ok', '2026-05-01T00:00:10.000Z'],
        ['skipped', '2026-05-01T00:00:20.000Z'],
      ],
    );
    assert.equal(calls.length, 1);
    assert.deepEqual(
      lines
        .filter((l) => l.msg === 'job run skipped')
        .map(({ level, job, dueAt, reason, holder }) => ({ level, job, dueAt, reason, holder })),
      [
        {
          level: 40,
          job: 'slow',
          dueAt: '2026-05-01T00:00:20.000Z',
          reason: 'overlap',
          holder: 'this-process',
        },
      ],
    );
  });

  it("overlap 'queue' starts the due run once the previous one has finished", async () => {
    const events = createEventBus();
    const order: string[] = [];
    events.on('job:started', (e) => order.push(`started ${new Date(e.dueAt).toISOString().slice(17, 19)}`));
    events.on('job:finished', (e) => order.push(`finished ${new Date(e.dueAt).toISOString().slice(17, 19)}`));
    const { store, runner, release } = await slowJob('queue', { events });
    clock.advance(10_000);
    // The :20 due time has been handled (queued) once the schedule moved on to :30.
    await waitFor(
      async () => (await runner.list())[0]?.nextDueAt === Date.parse('2026-05-01T00:00:30Z'),
      'the :20 due time to be queued',
    );
    release();
    await settle(runner);
    assert.deepEqual(order, ['started 10', 'finished 10', 'started 20', 'finished 20']);
    assert.deepEqual(
      (await runsOf(store, 'slow')).map((r) => [r.state, r.trigger]),
      [
        ['ok', 'schedule'],
        ['ok', 'schedule'],
      ],
    );
    assert.equal(calls[1]?.dueAt, TWENTY);
  });

  it('a due run another process still holds is skipped here and logged with that holder', async () => {
    clock = createManualClock(Date.parse('2026-05-01T00:00:00.500Z'));
    let release!: () => void;
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    const jobs = jobsOf({ slow: { kind: 'function', run: async () => ({}), schedule: { every: '10s' } } });
    const lines: Record<string, unknown>[] = [];
    const eventsB = createEventBus();
    const a = await runnerFor(
      jobs,
      async () => {
        await blocked;
        return {};
      },
      {},
      { holder: 'process-a' },
    );
    // A manual run (A runs no schedule) holds a live lease on the job; B's scheduled claim must respect it.
    const manual = a.runner.trigger('slow');
    await waitFor(async () => calls.length === 1, 'the manual run to start');
    const b = await runnerFor(
      jobs,
      async () => ({}),
      {},
      {
        events: eventsB,
        logger: capture(lines),
        holder: 'process-b',
      },
    );
    await b.runner.start();
    const skipped = nextEvent(eventsB, 'job:skipped');
    clock.advance(9_500);
    assert.deepEqual(await skipped, { job: 'slow', dueAt: TEN, reason: 'overlap' });
    release();
    await manual;
    const line = lines.find((l) => l.msg === 'job run skipped');
    assert.deepEqual(line && [line.level, line.job, line.dueAt, line.reason, line.holder, line.holderAlive], [
      40,
      'slow',
      '2026-05-01T00:00:10.000Z',
      'overlap',
      'process-a',
      'unknown', // 'process-a' carries no pid and start time to prove anything by
    ]);
    assert.equal(typeof line?.leaseUntil, 'string');
    assert.ok(
      Date.parse(String(line?.leaseUntil)) > TEN,
      'the lease that keeps the run from being taken over',
    );
  });

  it('a run held by a holder that is provably gone is abandoned (lease ended) and the due run claimed at once; at start it is run again', async () => {
    clock = createManualClock(Date.parse('2026-05-01T00:00:00.500Z'));
    let release!: () => void;
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    const jobs = jobsOf({ slow: { kind: 'function', run: async () => ({}), schedule: { every: '10s' } } });
    const deadA: HolderCheck = {
      self: 'process-b',
      liveness: (h) => (h === 'process-b' ? 'alive' : h === 'process-a' ? 'gone' : 'unknown'),
    };
    const lines: Record<string, unknown>[] = [];
    let manual: Promise<unknown> = Promise.resolve();
    let again: Promise<unknown> = Promise.resolve();
    try {
      const b = await runnerFor(jobs, async () => ({}), {}, { holders: deadA, logger: capture(lines) });
      await b.runner.start();
      // "process-a" stands for a process killed mid-run: its run stays `running` under a live lease.
      const a = await runnerFor(jobs, () => blocked.then(() => ({})), {}, { holder: 'process-a' });
      manual = a.runner.trigger('slow').catch(() => undefined);
      await waitFor(async () => calls.length === 1, 'the run of process-a to start');
      clock.advance(9_500);
      await waitFor(async () => calls.some((c) => c.dueAt === TEN), 'the due run to run here at once');
      const [held, due] = await runsOf(b.store, 'slow');
      assert.deepEqual([held?.holder, held?.state], ['process-a', 'running']);
      // Abandoned in the store's terms: its lease ended, so any runner takes it over at its next look.
      assert.ok((held?.leaseUntil ?? Number.POSITIVE_INFINITY) < clock.now());
      assert.deepEqual([due?.dueAt, due?.holder], [TEN, 'process-b']);
      assert.ok(
        lines.some((l) => l.msg === 'taking over a job run whose holder is gone' && l.holder === 'process-a'),
      );
      assert.ok(!lines.some((l) => l.msg === 'job run skipped'));

      // At start: a runner finds a gone holder's running run (its lease still live) and runs it again at once.
      await b.runner.stop();
      again = a.runner.trigger('slow').catch(() => undefined);
      await waitFor(async () => calls.length === 3, 'a new run of process-a');
      const live = (await runsOf(b.store, 'slow')).find(
        (r) => r.state === 'running' && r.leaseUntil! > clock.now(),
      );
      assert.ok(live);
      const c = await runnerFor(jobs, async () => ({}), {}, { holders: deadA });
      await c.runner.start();
      await settle(c.runner);
      // The older abandoned run is run again first (one run of a job at a time); the newer one's lease
      // has ended, so the next look for abandoned runs takes it over too.
      const after = await runsOf(c.store, 'slow');
      const first = after.find((r) => r.id === held?.id);
      assert.deepEqual([first?.state, first?.attempt, first?.holder], ['ok', 2, 'process-b']);
      const second = after.find((r) => r.id === live.id);
      assert.ok(
        second && second.state === 'running' && second.leaseUntil! < clock.now(),
        JSON.stringify(second),
      );
    } finally {
      // Released whatever happened: process-a's run ignores its AbortSignal, so stop() would wait for it.
      release();
    }
    await Promise.all([manual, again]);
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

import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import pino from 'pino';
import { compileConfig } from '../../src/config/compile-config.js';
import { compileSchedule } from '../../src/domain/schedule/compile-schedule.js';
import type { Schedule } from '../../src/domain/schedule/schedule.js';
import type { ScheduleSpec } from '../../src/domain/schedule/schedule-spec.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { createEventBus } from '../../src/internal/events.js';
import { createLogger } from '../../src/logging/json-logger.js';
import { createDuePlanner, type TickPlan } from '../../src/scheduler/due-planner.js';
import { type Figure, median, percentile, type SuiteResult, suite } from '../lib/report.js';

/** Job counts measured; `SCHEDULER_BENCH_SIZES=1000,10000` (the sizes) by default. */
const SIZES = (process.env.SCHEDULER_BENCH_SIZES ?? '1000,10000').split(',').map(Number);
/** Which runner variants run: sqlite, postgres, postgres-x2. */
const VARIANTS = (process.env.SCHEDULER_BENCH_VARIANTS ?? 'sqlite,postgres,postgres-x2').split(',');
const ROUNDS = Number(process.env.SCHEDULER_BENCH_ROUNDS ?? 1);
const ROUND_MS = Number(process.env.SCHEDULER_BENCH_ROUND_MS ?? 8000);
/** The first seconds of a round run cold code (interpreted until V8 optimises it) and are reported apart. */
const WARM_MS = 2000;
const ZONES = ['UTC', 'Asia/Shanghai', 'Europe/Berlin', 'America/New_York'];
const CRON_STEPS = [2, 3, 5, 10, 15];
const BATCH = 100;
const PG_ADMIN_URL = process.env.GAPWARDEN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const nowMs = (): number => performance.timeOrigin + performance.now();

/** Half `every: '1s'..'10s'`, half 6-field crons in four zones. */
function specs(jobs: number): ScheduleSpec[] {
  return Array.from({ length: jobs }, (_, i) =>
    i % 2 === 0
      ? { every: `${1 + ((i >> 1) % 10)}s` }
      : {
          cron: `*/${CRON_STEPS[(i >> 1) % CRON_STEPS.length]} * * * * *`,
          timezone: ZONES[(i >> 1) % ZONES.length],
        },
  );
}

interface RoundResult {
  /** Lateness of runs due after the warm-up. */
  lateness: number[];
  /** Lateness of runs due during the warm-up. */
  cold: number[];
  heapBytes: number;
  rssBytes: number;
  cpuMsPerSecond: number;
  /** Runner rounds: due times in the measured window no instance started. */
  missed?: number;
  /** Runner rounds: due times started more than once (across instances). */
  duplicates?: number;
  /** Runner rounds: of the due times not started, those the runner skipped by the overlap policy (`job:skipped`). */
  skipped?: number;
}

function memory(): { heap: number; rss: number } {
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

/** The scheduler: compiled schedules, one heap, one timer re-armed for the next wake-up. */
function heapRound(jobs: number): Promise<RoundResult> {
  const before = memory();
  const start = Date.now();
  const schedules: Schedule[] = specs(jobs).map((spec) => compileSchedule(spec));
  const planner = createDuePlanner();
  schedules.forEach((s, i) => {
    planner.set(String(i), { nextDueMs: s.next(start + 500), paused: false });
  });
  const after = memory();
  const lateness: number[] = [];
  const cold: number[] = [];
  const warm = start + 500 + WARM_MS;
  const end = warm + ROUND_MS;
  let cpu = process.cpuUsage();
  setTimeout(() => {
    cpu = process.cpuUsage();
  }, warm - Date.now());
  return new Promise((resolve) => {
    const reschedule = (run: { jobId: string; dueMs: number }) => {
      const next = schedules[Number(run.jobId)]!.next(run.dueMs);
      return next !== undefined && next <= end ? next : undefined;
    };
    const tick = () => {
      // Runs are taken in batches and fired as each batch is planned, as a runner would start them.
      let plan: TickPlan;
      do {
        plan = planner.planTick(Math.floor(nowMs()), { reschedule, max: BATCH });
        for (const run of plan.due) (run.dueMs < warm ? cold : lateness).push(nowMs() - run.dueMs);
      } while (plan.due.length === BATCH);
      if (plan.nextWakeupMs === undefined) {
        const used = process.cpuUsage(cpu);
        resolve({
          lateness,
          cold,
          heapBytes: after.heap - before.heap,
          rssBytes: after.rss - before.rss,
          cpuMsPerSecond: (used.user + used.system) / 1000 / (ROUND_MS / 1000),
        });
        return;
      }
      setTimeout(tick, Math.max(0, Math.ceil(plan.nextWakeupMs - nowMs())));
    };
    tick();
  });
}

/** The floor: the same due times, listed beforehand, each job on its own setTimeout chain. */
function timeoutRound(jobs: number): Promise<RoundResult> {
  const before = memory();
  const start = Date.now();
  const warm = start + 500 + WARM_MS;
  const end = warm + ROUND_MS;
  const dues = specs(jobs).map((spec) =>
    compileSchedule(spec).dueBetween(start + 500, end, Number.POSITIVE_INFINITY),
  );
  const lateness: number[] = [];
  const cold: number[] = [];
  let pending = dues.length;
  let cpu = process.cpuUsage();
  const warmTimer = setTimeout(() => {
    cpu = process.cpuUsage();
  }, warm - Date.now());
  return new Promise((resolve) => {
    let after = { heap: 0, rss: 0 };
    const arm = (list: number[], k: number) => {
      if (k >= list.length) {
        if (--pending === 0) {
          clearTimeout(warmTimer);
          const used = process.cpuUsage(cpu);
          resolve({
            lateness,
            cold,
            heapBytes: after.heap - before.heap,
            rssBytes: after.rss - before.rss,
            cpuMsPerSecond: (used.user + used.system) / 1000 / (ROUND_MS / 1000),
          });
        }
        return;
      }
      const due = list[k]!;
      const fire = () => {
        const t = nowMs();
        if (t < due) {
          setTimeout(fire, Math.ceil(due - t)); // woke early: wait the rest
          return;
        }
        (due < warm ? cold : lateness).push(t - due);
        arm(list, k + 1);
      };
      setTimeout(fire, Math.max(0, Math.ceil(due - nowMs())));
    };
    for (const list of dues) arm(list, 0);
    after = memory(); // 10,000 armed timers plus the due lists
  });
}

type Variant = 'sqlite' | 'postgres' | 'postgres-x2';

async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh store for one round: a SQLite file in a new directory, or a new PostgreSQL database. */
async function freshStore(variant: Variant): Promise<{ store: object; drop: () => Promise<void> }> {
  if (variant === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gapwarden-bench-sched-'));
    return {
      store: { sqlite: join(dir, 'jobs.db') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const db = `gapwarden_bench_sched_${process.pid}`;
  await pgAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${db}`);
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${db}`;
  return {
    store: { postgres: url.toString() },
    drop: () => pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)).then(() => {}),
  };
}

/**
 * The runner as `serve` runs it: `createEngine` + `start({ collect: true })`
 * with one `function` job per schedule (the work returns at once), its JSON
 * logger at `info` (written to /dev/null), the jobs module's store claims,
 * pause checks, lease renewals and run records. Lateness is taken in a
 * `job:started` listener: performance clock at the event minus the due time.
 * With `postgres-x2`, two engines in this process share one database and
 * every due time must start exactly once between them.
 */
async function runnerRound(jobs: number, variant: Variant): Promise<RoundResult> {
  const { store, drop } = await freshStore(variant);
  const before = memory();
  const all = specs(jobs);
  const config = compileConfig(
    {
      store,
      datasets: {},
      jobs: Object.fromEntries(
        all.map((schedule, i) => [`j${i}`, { kind: 'function', schedule, run: async () => ({}) }]),
      ),
    },
    { env: {} },
  );
  const lateness: number[] = [];
  const cold: number[] = [];
  const started = new Map<string, number>();
  const skipped = new Set<string>();
  let warm = Number.POSITIVE_INFINITY;
  let end = Number.POSITIVE_INFINITY;
  const engines: Engine[] = [];
  for (let k = 0; k < (variant === 'postgres-x2' ? 2 : 1); k++) {
    const events = createEventBus();
    events.on('job:started', (e) => {
      const t = nowMs();
      if (e.dueAt >= end) return;
      const key = `${e.job}@${e.dueAt}`;
      started.set(key, (started.get(key) ?? 0) + 1);
      (e.dueAt < warm ? cold : lateness).push(t - e.dueAt);
    });
    events.on('job:skipped', (e) => skipped.add(`${e.job}@${e.dueAt}`));
    const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }));
    const engine = createEngine({ config, logger, events });
    await engine.open();
    engines.push(engine);
  }
  const begin = Date.now();
  warm = begin + WARM_MS;
  end = warm + ROUND_MS;
  for (const engine of engines) await engine.start({ collect: true });
  const after = memory();
  await new Promise((r) => setTimeout(r, warm - Date.now()));
  let cpu = process.cpuUsage();
  await new Promise((r) => setTimeout(r, end - Date.now()));
  const used = process.cpuUsage(cpu);
  await new Promise((r) => setTimeout(r, 1000)); // runs due just before the end get to start
  for (const engine of engines) await engine.stop();
  await drop();
  // Due times in the measured window, from the same compiled schedules the runner uses.
  let expected = 0;
  let startedOnce = 0;
  let duplicates = 0;
  let skippedRuns = 0;
  all.forEach((spec, i) => {
    for (const due of compileSchedule(spec).dueBetween(warm, end - 1, Number.POSITIVE_INFINITY)) {
      expected++;
      const n = started.get(`j${i}@${due}`) ?? 0;
      if (n > 0) startedOnce++;
      else if (skipped.has(`j${i}@${due}`)) skippedRuns++;
      if (n > 1) duplicates++;
    }
  });
  cpu = process.cpuUsage();
  return {
    lateness,
    cold,
    heapBytes: after.heap - before.heap,
    rssBytes: after.rss - before.rss,
    cpuMsPerSecond: (used.user + used.system) / 1000 / (ROUND_MS / 1000),
    missed: expected - startedOnce,
    duplicates,
    skipped: skippedRuns,
  };
}

const VARIANT_NAMES: Record<Variant, string> = {
  sqlite: 'real runner, SQLite file store',
  postgres: 'real runner, PostgreSQL store',
  'postgres-x2': 'real runner, two engines sharing one PostgreSQL store',
};

/**
 * Lateness of jobs with second-level schedules (1,000 and 10,000 of them) as
 * the real job runner starts them (`createEngine` + `start({ collect: true })`
 * on SQLite, PostgreSQL, and two engines on one PostgreSQL), side by side in
 * the same run with the planner-only loop (the due heap, no store) and a
 * setTimeout chain per job (the floor). Rounds alternate so all variants see
 * the same machine state.
 */
export async function runSchedulerBench(): Promise<SuiteResult> {
  const load = loadavg()[0]!.toFixed(2);
  const figures: Figure[] = [];
  const counts: string[] = [];
  const mb = (bytes: number) => bytes / 1_048_576;
  for (const jobs of SIZES) {
    const n = jobs.toLocaleString('en-US');
    const runner: Record<string, RoundResult[]> = Object.fromEntries(VARIANTS.map((v) => [v, []]));
    const heap: RoundResult[] = [];
    const floor: RoundResult[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of VARIANTS) {
        console.error(`  ${n} jobs, ${v}, round ${r + 1}`);
        runner[v]!.push(await runnerRound(jobs, v as Variant));
      }
      heap.push(await heapRound(jobs));
      floor.push(await timeoutRound(jobs));
    }
    const stat = (rounds: RoundResult[], f: (r: RoundResult) => number) => median(rounds.map(f));
    const late = (q: number) => (r: RoundResult) => percentile(r.lateness, q);
    const compare = (
      name: string,
      unit: string,
      rounds: RoundResult[],
      f: (r: RoundResult) => number,
    ): Figure => {
      const value = stat(rounds, f);
      const base = stat(floor, f);
      return {
        name,
        value,
        unit,
        baseline: { name: 'setTimeout per job', value: base },
        ratio: value / base,
      };
    };
    for (const v of VARIANTS) {
      const rounds = runner[v]!;
      const what = `${VARIANT_NAMES[v as Variant]}, ${n} jobs`;
      const p99 = compare(`lateness p99, ${what}`, 'ms', rounds, late(99));
      figures.push(
        compare(`lateness p50, ${what}`, 'ms', rounds, late(50)),
        jobs === 10_000 ? { ...p99, target: '< 50 ms', met: p99.value < 50 } : p99,
        compare(`lateness max, ${what}`, 'ms', rounds, (r) => Math.max(...r.lateness)),
        compare(`CPU while running, ${what}`, 'ms/s', rounds, (r) => r.cpuMsPerSecond),
        { name: `due runs not started, ${what}`, value: stat(rounds, (r) => r.missed ?? 0), unit: 'runs' },
        {
          name: `of those, skipped by the overlap policy (previous run still running), ${what}`,
          value: stat(rounds, (r) => r.skipped ?? 0),
          unit: 'runs',
        },
        {
          name: `due runs started more than once, ${what}`,
          value: stat(rounds, (r) => r.duplicates ?? 0),
          unit: 'runs',
        },
      );
      counts.push(`${what}: ${stat(rounds, (r) => r.lateness.length)} runs measured per round`);
    }
    const what = `planner-only loop (due heap, no store), ${n} jobs`;
    figures.push(
      compare(`lateness p50, ${what}`, 'ms', heap, late(50)),
      compare(`lateness p99, ${what}`, 'ms', heap, late(99)),
      compare(`lateness max, ${what}`, 'ms', heap, (r) => Math.max(...r.lateness)),
      compare(`CPU while running, ${what}`, 'ms/s', heap, (r) => r.cpuMsPerSecond),
      compare(`JS heap held (schedules + planner | due lists + armed timers), ${n} jobs`, 'MB', heap, (r) =>
        mb(r.heapBytes),
      ),
    );
    counts.push(
      `planner-only ${n} jobs: ${stat(heap, (r) => r.lateness.length)} runs, setTimeout: ${stat(floor, (r) => r.lateness.length)} runs measured per round`,
    );
  }
  return suite('scheduler', figures, [
    `jobs (${SIZES.map((s) => s.toLocaleString('en-US')).join(' and ')}): half every 1s..10s, half 6-field cron */2..*/15 s in ${ZONES.join(', ')}; no jitter, so at 10,000 jobs ~2,700 runs fall due on each whole second`,
    "lateness = performance clock when the run starts - due time. Real runner: taken in a job:started listener, so it includes the planner, the batched claim transaction (claimed 500 ms ahead: pause state, overlap check, insert, lastDueAt; 3 statements on PostgreSQL), and the start of every run before it in the burst; the work (an async function returning at once), its finish record (batched), the skip records and the JSON logger at info (to /dev/null; a run's start and ok finish are debug lines, so only warnings such as overlap skips are written) run on the same event loop",
    'due runs not started: due times in the measured window no instance started; "of those, skipped by the overlap policy": the runner recorded them skipped because the previous run of the job (1 s jobs) was still running at the due time, which happens once runs start more than about a second late',
    `planner-only: the due heap fired by one re-armed timer, runs taken in batches of ${BATCH}, a fire only records the lateness (no store, no work); setTimeout: every due time listed beforehand, one timer chain per job (the floor)`,
    'postgres-x2: two engines in this one Node process (one event loop, 2 cores shared with PostgreSQL); each due time must be started by exactly one of them',
    `1-minute load average when the suite started: ${load} (other work on the machine inflates every variant)`,
    `${ROUNDS} round(s) per variant, each ${WARM_MS / 1000} s of warm-up (reported apart, not in these figures) then ${ROUND_MS / 1000} s measured; figures are medians of the rounds`,
    ...counts,
  ]);
}

import { hostname } from 'node:os';
import type { CompiledJob, CompiledScheduler } from '../config/compiled-config.js';
import type { Clock } from '../internal/clock.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import type { JobRun, JobRunTrigger, JobState, JobStore } from '../store/job-store.js';
import { createDuePlanner } from './due-planner.js';
import type { JobContext, JobWorkResult } from './job-work.js';
import { missedRuns } from './missed-runs.js';
import { IDLE, type OverlapState, onDue, onFinish } from './overlap-policy.js';
import { runClaimedJob } from './run-claimed-job.js';

export interface JobRunnerDeps {
  jobs: readonly CompiledJob[];
  store: JobStore;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  settings: CompiledScheduler;
  /** Does one job's work; throws on failure. */
  work: (job: CompiledJob, ctx: JobContext) => Promise<JobWorkResult>;
  /** Extra catch-up decided from data (e.g. a calendar dataset behind its schedule): due times to run now. */
  dataCatchUp?: (job: CompiledJob, nowMs: number) => Promise<number | undefined>;
  /** Identifies this process in leases. @default host:pid:random */
  holder?: string;
  /** How often the runner looks at the store for work of dead processes and remote pauses. @default 1000 */
  pollMs?: number;
}

/** A job as `jobs` lists it. */
export interface JobView {
  job: CompiledJob;
  paused: boolean;
  nextDueAt: number | undefined;
  running: number;
  lastRun: JobRun | undefined;
}

export interface JobRunner {
  /** Registers the jobs, makes up missed runs by policy, takes over abandoned runs and starts the schedule. */
  start(): Promise<void>;
  /** Stops starting runs, lets running ones finish within the grace period, cancels the rest, releases leases. */
  stop(): Promise<void>;
  /** Starts a manual run now and resolves once it has finished. */
  trigger(jobId: string, params?: Record<string, string>): Promise<JobRun>;
  pause(jobId: string): Promise<void>;
  resume(jobId: string): Promise<void>;
  list(): Promise<JobView[]>;
  /** The compiled job; JOB_UNKNOWN when there is none. */
  get(jobId: string): CompiledJob;
  /** Resolves when no run is in progress (tests). */
  idle(): Promise<void>;
}

interface Slot {
  job: CompiledJob;
  paused: boolean;
  overlap: OverlapState;
  running: Set<Promise<void>>;
}

/**
 * Runs jobs on their schedules with persisted state: each run takes a lease
 * for its (job, due time) in the store first, so several processes on one
 * store run every due time once; runs missed while down are made up by each
 * job's catch-up policy; a run due while the previous one runs is skipped or
 * queued; timeouts and shutdown cancel work through its AbortSignal.
 */
export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const { store, clock, logger, events, settings } = deps;
  const holder = deps.holder ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const pollMs = deps.pollMs ?? 1000;
  const slots = new Map<string, Slot>();
  for (const job of deps.jobs) {
    slots.set(job.id, { job, paused: job.paused, overlap: IDLE, running: new Set() });
  }
  // Which job is due next, by jittered start: a heap, so a tick costs O(k log n) for k due runs among n jobs.
  // Pause is checked in the store at each due time (another process may pause or resume), so the planner
  // always holds every job as active.
  const planner = createDuePlanner({ startAt: (id, due) => slots.get(id)!.job.schedule.startAt(id, due) });
  const schedule = (s: Slot, fromMs: number) =>
    planner.set(s.job.id, { nextDueMs: s.job.schedule.next(fromMs), paused: false });
  const live = new Set<{ controller: AbortController; run: JobRun }>();
  let stopping = false;
  let wake: AbortController = new AbortController();
  let loop: Promise<void> | undefined;

  // Jobs are registered in the store once per process, before anything reads or writes their rows.
  let registered: Promise<JobState[]> | undefined;
  const register = () => {
    registered ??= store.ensureJobs([...slots.keys()], clock.now());
    return registered;
  };

  const slot = (jobId: string): Slot => {
    const s = slots.get(jobId);
    if (!s) {
      throw new GapwardenError(
        'JOB_UNKNOWN',
        `no job "${jobId}"; known: ${[...slots.keys()].join(', ') || 'none'}`,
      );
    }
    return s;
  };

  /** Claims (job, dueAt) and runs it; resolves with the finished run, or undefined when not claimed. */
  const execute = async (
    s: Slot,
    dueAt: number,
    trigger: JobRunTrigger,
    params: Record<string, string> = {},
  ): Promise<JobRun | undefined> => {
    const { job } = s;
    const now = clock.now();
    const claim = await store.claimJobRun({
      job: job.id,
      dueAt,
      trigger,
      holder,
      nowMs: now,
      leaseMs: settings.leaseMs,
      exclusive: trigger !== 'manual',
      ...(Object.keys(params).length > 0 ? { detail: JSON.stringify(params) } : {}),
    });
    if ('refused' in claim) {
      if (claim.refused === 'overlap') {
        await store.recordSkippedRun(
          job.id,
          dueAt,
          `previous run still running (held by ${claim.by?.holder})`,
          now,
        );
        events.emit('job:skipped', { job: job.id, dueAt, reason: 'overlap' });
      }
      return undefined;
    }
    return runClaimed(s, claim.run, params);
  };

  const runClaimed = (s: Slot, run: JobRun, params: Record<string, string>): Promise<JobRun> =>
    runClaimedJob({ ...deps, holder, live }, s.job, run, params);

  /** Starts a run in the background, tracking it for overlap, idle() and stop(). */
  const launch = (s: Slot, dueAt: number, trigger: JobRunTrigger) => {
    const p = execute(s, dueAt, trigger)
      .catch((err) =>
        logger.error({ msg: 'job run failed to start', job: s.job.id, error: describeError(err) }),
      )
      .then(() => {
        s.running.delete(p);
        const step = onFinish(s.overlap);
        s.overlap = step.state;
        if (step.start !== undefined && !stopping) launch(s, step.start, 'schedule');
      });
    s.running.add(p);
  };

  const due = (s: Slot, dueAt: number, trigger: JobRunTrigger) => {
    const step = onDue(s.overlap, s.job.overlap, dueAt);
    s.overlap = step.state;
    if (step.start !== undefined) launch(s, step.start, trigger);
    if (step.skipped !== undefined) {
      const at = step.skipped;
      events.emit('job:skipped', { job: s.job.id, dueAt: at, reason: 'overlap' });
      store
        .recordSkippedRun(s.job.id, at, 'previous run still running', clock.now())
        .catch((err) =>
          logger.warn({ msg: 'could not record a skipped run', job: s.job.id, error: describeError(err) }),
        );
    }
  };

  const tick = async () => {
    const plan = planner.planTick(clock.now(), {
      reschedule: (run) => slots.get(run.jobId)!.job.schedule.next(run.dueMs),
    });
    for (const run of plan.due) {
      const s = slots.get(run.jobId)!;
      // Pause may have been set by another process (`gapwarden jobs pause`).
      const state = await store.loadJobState(s.job.id);
      s.paused = state?.paused ?? s.paused;
      if (s.paused) continue;
      due(s, run.dueMs, 'schedule');
    }
  };

  const takeOverAbandoned = async () => {
    const abandoned = await store.findAbandonedJobRuns(clock.now(), [...slots.keys()]);
    for (const run of abandoned) {
      const s = slots.get(run.job);
      if (!s || s.running.size > 0) continue;
      logger.warn({
        msg: 'taking over an abandoned job run',
        job: run.job,
        dueAt: new Date(run.dueAt).toISOString(),
        holder: run.holder,
      });
      s.overlap = { runningDue: run.dueAt, queuedDue: undefined };
      launch(s, run.dueAt, run.trigger);
    }
  };

  const nextWake = () => Math.min(clock.now() + pollMs, planner.nextWakeupMs() ?? Number.POSITIVE_INFINITY);

  const runLoop = async () => {
    let lastPoll = 0;
    while (!stopping) {
      try {
        await tick();
        if (clock.now() - lastPoll >= pollMs) {
          lastPoll = clock.now();
          await takeOverAbandoned();
          await store.pruneJobRuns(clock.now() - settings.historyRetentionMs, settings.keepRuns);
        }
      } catch (err) {
        logger.error({ msg: 'scheduler tick failed', error: describeError(err) });
      }
      const waitMs = Math.max(0, nextWake() - clock.now());
      await clock.sleep(waitMs, wake.signal).catch(() => {
        wake = new AbortController();
      });
    }
  };

  const catchUp = async (s: Slot, lastDueAt: number | null, now: number) => {
    const { job } = s;
    if (lastDueAt !== null) {
      const missed = missedRuns(job.schedule, lastDueAt, now, {
        policy: job.catchUp.policy,
        maxCatchUp: job.catchUp.max,
      });
      if (missed.missed > 0) {
        logger.info({
          msg: 'runs missed while down',
          job: job.id,
          missed: missed.missed,
          policy: missed.policy,
          runs: missed.runs.length,
          dropped: missed.dropped,
        });
        events.emit('job:missed', { job: job.id, missed: missed.missed, caughtUp: missed.runs.length });
      }
      if (missed.runs.length === 0 && missed.missed > 0) {
        const latest = job.schedule.latestBetween(lastDueAt, now - 1, 1)[0];
        if (latest !== undefined)
          await store.recordSkippedRun(
            job.id,
            latest,
            `${missed.missed} runs missed while down (catch-up: skip)`,
            now,
          );
      }
      if (missed.runs.length > 0) {
        // Missed runs go one after another, each with its own due time, before the schedule resumes.
        const runs = missed.runs;
        s.overlap = { runningDue: runs[0], queuedDue: undefined };
        const p = (async () => {
          for (const dueAt of runs) {
            if (stopping) break;
            await execute(s, dueAt, 'catch-up');
          }
        })()
          .catch((err) => logger.error({ msg: 'catch-up failed', job: job.id, error: describeError(err) }))
          .then(() => {
            s.running.delete(p);
            s.overlap = onFinish(s.overlap).state;
          });
        s.running.add(p);
        return;
      }
    }
    const dataDue = await deps.dataCatchUp?.(job, now);
    if (dataDue !== undefined) {
      logger.info({ msg: 'dataset is behind its schedule: collecting now', job: job.id });
      due(s, dataDue, 'catch-up');
    }
  };

  return {
    async start() {
      const now = clock.now();
      const states = await register();
      for (const state of states) {
        const s = slots.get(state.job);
        if (!s) continue;
        s.paused = state.paused || (s.job.paused && state.lastDueAt === null);
        schedule(s, now - 1);
        if (!s.paused) await catchUp(s, state.lastDueAt, now);
      }
      await takeOverAbandoned();
      loop = runLoop();
    },
    async stop() {
      stopping = true;
      wake.abort();
      await loop;
      const running = [...slots.values()].flatMap((s) => [...s.running]);
      const graceful = Promise.allSettled(running).then(() => true);
      const timer = new Promise<boolean>((r) => setTimeout(() => r(false), settings.shutdownGraceMs).unref());
      if (!(await Promise.race([graceful, timer]))) {
        logger.warn({ msg: 'cancelling job runs still going after the shutdown grace', runs: live.size });
        for (const { controller, run } of live) {
          controller.abort(new GapwardenError('ABORTED', 'gapwarden is shutting down'));
          await store.releaseJobLease(run.id, holder, clock.now()).catch(() => {});
        }
        await Promise.allSettled(running);
      }
    },
    async trigger(jobId, params = {}) {
      const s = slot(jobId);
      await register();
      let result: JobRun | undefined;
      const p = execute(s, clock.now(), 'manual', params).then((r) => {
        result = r;
      });
      s.running.add(p);
      try {
        await p;
      } finally {
        s.running.delete(p);
      }
      if (!result) throw new GapwardenError('STORE_FAILED', `could not claim a manual run of "${jobId}"`);
      return result;
    },
    async pause(jobId) {
      const s = slot(jobId);
      await register();
      await store.setJobPaused(jobId, true, clock.now());
      s.paused = true;
    },
    async resume(jobId) {
      const s = slot(jobId);
      await register();
      await store.setJobPaused(jobId, false, clock.now());
      s.paused = false;
      schedule(s, clock.now() - 1);
      wake.abort();
    },
    async list() {
      await register();
      const out: JobView[] = [];
      for (const s of slots.values()) {
        const [state, last] = await Promise.all([
          store.loadJobState(s.job.id),
          store.listJobRuns(s.job.id, { limit: 1 }),
        ]);
        out.push({
          job: s.job,
          paused: state?.paused ?? s.paused,
          nextDueAt: planner.get(s.job.id)?.nextDueMs ?? s.job.schedule.next(clock.now() - 1),
          running: s.running.size,
          lastRun: last[0],
        });
      }
      return out;
    },
    get: (jobId) => slot(jobId).job,
    async idle() {
      for (;;) {
        const running = [...slots.values()].flatMap((s) => [...s.running]);
        if (running.length === 0) return;
        await Promise.allSettled(running);
      }
    },
  };
}

import type { CompiledJob, CompiledScheduler } from '../config/compiled-config.js';
import type { JobContext, JobRunTrigger, JobWorkResult } from '../config/job-function.js';
import { createHolderCheck, type HolderCheck } from '../host/process-probe.js';
import type { Clock } from '../internal/clock.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import { noRedaction, type Redact } from '../internal/redactor.js';
import { createDuePlanner } from './due-planner.js';
import { missedRuns } from './missed-runs.js';
import { IDLE, type OverlapState, onDue, onFinish } from './overlap-policy.js';
import { type LiveRun, type RunContext, runClaimedJob } from './run-claimed-job.js';
import { logSkippedRun } from './skipped-run-log.js';
import type {
  JobClaim,
  JobClaimResult,
  JobRun,
  JobRunResult,
  JobSkip,
  JobState,
  JobStore,
} from './store/job-store.js';
import { createBatcher } from './store-batcher.js';

/** Finished runs older than the retention are pruned at most this often (a prune scans the run history). */
const PRUNE_EVERY_MS = 60_000;

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
  /** Identifies this process in leases. @default `holders.self` */
  holder?: string;
  /**
   * This process's holder id and the judge of other holders: a run held by a
   * holder that is provably gone (it exited on this machine) is taken over at
   * once instead of after its lease. @default createHolderCheck()
   */
  holders?: HolderCheck;
  /** How often the runner looks at the store for work of dead processes and remote pauses. @default 1000 */
  pollMs?: number;
  /** Masks secrets in the error text and skip reasons runs keep in the store. @default no masking */
  redact?: Redact;
  /**
   * How long before their start the runs of a tick are claimed (one store
   * transaction), so they start on time however long the claim takes; a job
   * whose previous run is still going is decided when its run falls due. @default 500
   */
  claimAheadMs?: number;
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
  /** A job's runs, newest first (page with `beforeId`); JOB_UNKNOWN when there is no such job. */
  history(jobId: string, options: { limit: number; beforeId?: number }): Promise<JobRun[]>;
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
  const holders = deps.holders ?? createHolderCheck();
  const holder = deps.holder ?? holders.self;
  const pollMs = deps.pollMs ?? 1000;
  const claimAheadMs = deps.claimAheadMs ?? 500;
  const redact = deps.redact ?? noRedaction;
  // Due times not run, recorded together (a slow tick may skip thousands at once); the reason is kept
  // in the store, so it is masked first.
  const skipBatch = createBatcher(
    (skips: JobSkip[]) => store.recordSkippedRuns(skips).then(() => skips.map(() => undefined)),
    'immediate',
  );
  const recordSkipped = (job: string, dueAt: number, reason: string, nowMs: number) =>
    skipBatch({ job, dueAt, reason: redact(reason), nowMs });
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
  const live = new Set<LiveRun>();
  // Runs claimed ahead wait for their start: one timer per start time, however many runs share it.
  const waits = new Map<number, Promise<void>>();
  const waitUntil = (ms: number): Promise<void> => {
    let wait = waits.get(ms);
    if (!wait) {
      wait = clock.sleep(Math.max(0, ms - clock.now())).finally(() => waits.delete(ms));
      waits.set(ms, wait);
    }
    return wait;
  };
  // Every claim of a tick (and every finish of runs ending together) is one store transaction.
  const claimBatch = createBatcher((claims: JobClaim[]) => store.claimJobRuns(claims), 'microtask');
  const finishBatch = createBatcher(
    (items: { runId: number; result: JobRunResult }[]) => store.finishJobRuns(holder, items),
    'immediate',
  );
  // The leases of all live runs are renewed together, one statement every third of the lease.
  let renewTimer: ReturnType<typeof setInterval> | undefined;
  const renewAll = () => {
    if (live.size === 0) {
      clearInterval(renewTimer);
      renewTimer = undefined;
      return;
    }
    const entries = [...live];
    store
      .renewJobLeases(
        holder,
        entries.map((e) => e.run.id),
        clock.now() + settings.leaseMs,
      )
      .then((held) => {
        const kept = new Set(held);
        for (const e of entries) {
          if (kept.has(e.run.id) || !live.has(e)) continue;
          e.leaseLost = true;
          e.abort(new GapwardenError('ABORTED', 'the run lease was lost to another process'));
        }
      })
      .catch((err) => logger.warn({ msg: 'job lease renewal failed', error: describeError(err) }));
  };
  const keepLeases = () => {
    // Unref'd: the runs themselves keep the process alive; the last one to end stops it (below).
    renewTimer ??= setInterval(renewAll, Math.max(50, settings.leaseMs / 3)).unref();
  };
  const stopRenewingWhenIdle = () => {
    if (live.size > 0) return;
    clearInterval(renewTimer);
    renewTimer = undefined;
  };
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

  /**
   * Marks a running run whose holder is provably gone (it exited on this machine: kill -9, a crash)
   * abandoned in the store's terms: its lease is ended in the holder's name, so the claim it refused
   * can be asked again at once, and the run itself is taken over (run again, attempt + 1) as a run
   * whose lease expired would be. False when the holder may be alive (another machine, or unknown).
   */
  const takeOverFromGone = async (run: JobRun, nowMs: number): Promise<boolean> => {
    if (run.state !== 'running' || !run.holder || run.holder === holder) return false;
    if (holders.liveness(run.holder) !== 'gone') return false;
    logger.warn({
      msg: 'taking over a job run whose holder is gone',
      job: run.job,
      dueAt: new Date(run.dueAt).toISOString(),
      holder: run.holder,
      holderAlive: 'gone',
      leaseUntil: run.leaseUntil === null ? null : new Date(run.leaseUntil).toISOString(),
    });
    await store.releaseJobLease(run.id, run.holder, nowMs);
    return true;
  };

  /**
   * Claims (job, dueAt) and runs it; resolves with the finished run, or undefined when not claimed.
   * Scheduled runs are refused when the job is paused in the store (`checkPaused`): another process
   * may have paused or resumed it. Manual claims go alone; the others join the tick's batch.
   */
  const execute = async (
    s: Slot,
    dueAt: number,
    trigger: JobRunTrigger,
    params: Record<string, string> = {},
    checkPaused = false,
    startsAt?: number,
  ): Promise<JobRun | undefined> => {
    const { job } = s;
    let now = clock.now();
    const request: JobClaim = {
      job: job.id,
      dueAt,
      trigger,
      holder,
      nowMs: now,
      leaseMs: settings.leaseMs,
      exclusive: trigger !== 'manual',
      checkPaused,
      ...(startsAt !== undefined && startsAt > now ? { startsAt } : {}),
      ...(Object.keys(params).length > 0 ? { detail: JSON.stringify(params) } : {}),
    };
    const ask = async (req: JobClaim): Promise<JobClaimResult> => {
      const send = () => (trigger === 'manual' ? store.claimJobRun(req) : claimBatch(req));
      const first = await send();
      // Refused by a run whose holder exited (kill -9, crash): that lease is taken over now, not after it runs out.
      if ('refused' in first && first.by && (await takeOverFromGone(first.by, req.nowMs))) return send();
      return first;
    };
    let claim = await ask(request);
    // Claimed ahead of its start, a run refused for overlap is asked again when it falls due: overlap
    // is decided at the due time, and the previous run (held by another process, which cannot wait
    // for it here) may well have finished by then.
    if ('refused' in claim && claim.refused === 'overlap' && request.startsAt !== undefined && !stopping) {
      await waitUntil(request.startsAt);
      now = clock.now();
      const { startsAt: _ahead, ...atDue } = request;
      claim = await ask({ ...atDue, nowMs: now });
    }
    if (checkPaused) s.paused = 'refused' in claim && claim.refused === 'paused';
    if ('refused' in claim) {
      if (claim.refused === 'overlap') {
        const by = claim.by;
        const detail = `previous run still running (held by ${by?.holder})`;
        await recordSkipped(job.id, dueAt, detail, now);
        events.emit('job:skipped', { job: job.id, dueAt, reason: 'overlap' });
        logSkippedRun(logger, {
          job: job.id,
          dueAt,
          reason: 'overlap',
          detail,
          holder: by?.holder,
          holderAlive: holders.liveness(by?.holder),
          leaseUntil: by?.leaseUntil,
        });
      }
      return undefined;
    }
    if (startsAt !== undefined && startsAt > clock.now()) await waitUntil(startsAt);
    return runClaimed(s, claim.run, params);
  };

  // Built once: a burst of thousands of starts should not copy it for each run.
  const runContext: RunContext = {
    ...deps,
    holder,
    live,
    redact,
    keepLeases,
    finish: (runId, result) => finishBatch({ runId, result }),
  };
  const runClaimed = (s: Slot, run: JobRun, params: Record<string, string>): Promise<JobRun> =>
    runClaimedJob(runContext, s.job, run, params).finally(stopRenewingWhenIdle);

  /** Starts a run in the background, tracking it for overlap, idle() and stop(). */
  const launch = (
    s: Slot,
    dueAt: number,
    trigger: JobRunTrigger,
    checkPaused = trigger === 'schedule',
    startsAt?: number,
  ) => {
    const p = execute(s, dueAt, trigger, {}, checkPaused, startsAt)
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

  const due = (s: Slot, dueAt: number, trigger: JobRunTrigger, startsAt?: number) => {
    const step = onDue(s.overlap, s.job.overlap, dueAt);
    s.overlap = step.state;
    if (step.start !== undefined) {
      launch(s, step.start, trigger, trigger === 'schedule', step.start === dueAt ? startsAt : undefined);
    }
    if (step.skipped !== undefined && !s.paused) {
      const at = step.skipped;
      // Worded as a skip for a run another process holds, naming this one: the record says who held it.
      const detail = `previous run still running (held by ${holder})`;
      events.emit('job:skipped', { job: s.job.id, dueAt: at, reason: 'overlap' });
      logSkippedRun(logger, {
        job: s.job.id,
        dueAt: at,
        reason: 'overlap',
        detail,
        holder,
        holderAlive: 'alive',
        leaseUntil: [...live].find((r) => r.run.job === s.job.id)?.run.leaseUntil,
      });
      recordSkipped(s.job.id, at, detail, clock.now()).catch((err) =>
        logger.warn({ msg: 'could not record a skipped run', job: s.job.id, error: describeError(err) }),
      );
    }
  };

  const tick = async () => {
    const now = clock.now();
    const plan = planner.planTick(now + claimAheadMs, {
      reschedule: (run) => slots.get(run.jobId)!.job.schedule.next(run.dueMs),
    });
    // Pause may have been set by another process (`gapwarden jobs pause`): each claim reads it in the
    // same transaction, so a tick's due runs cost one store call, not one per job.
    // For a job paused when last seen, a due run is a probe of the store; while one is pending, the next
    // due times pass as paused (they are not queued behind it).
    // Runs starting within `claimAheadMs` are claimed now and start at their time; a job still running
    // its previous run is decided (overlap policy) when the new run falls due.
    const fallsDue = (s: Slot, run: { dueMs: number; startMs: number }) => {
      if (stopping || (s.paused && s.running.size > 0)) return;
      due(s, run.dueMs, 'schedule', run.startMs);
    };
    for (const run of plan.due) {
      const s = slots.get(run.jobId)!;
      if (run.startMs > now && s.running.size > 0) void waitUntil(run.startMs).then(() => fallsDue(s, run));
      else fallsDue(s, run);
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
      launch(s, run.dueAt, run.trigger, false);
    }
  };

  const nextWake = () =>
    Math.min(clock.now() + pollMs, (planner.nextWakeupMs() ?? Number.POSITIVE_INFINITY) - claimAheadMs);

  const runLoop = async () => {
    let lastPoll = 0;
    let lastPrune = 0;
    while (!stopping) {
      try {
        await tick();
        if (clock.now() - lastPoll >= pollMs) {
          lastPoll = clock.now();
          await takeOverAbandoned();
        }
        if (clock.now() - lastPrune >= Math.max(pollMs, PRUNE_EVERY_MS)) {
          lastPrune = clock.now();
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
    // Asked first: when the data is behind, the latest due time is run below, so it is not recorded skipped.
    const dataDue = await deps.dataCatchUp?.(job, now);
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
        if (latest !== undefined && latest !== dataDue) {
          const detail = `${missed.missed} runs missed while down (catch-up: skip)`;
          await recordSkipped(job.id, latest, detail, now);
          logSkippedRun(logger, { job: job.id, dueAt: latest, reason: 'catch-up', detail });
        }
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
    if (dataDue !== undefined) {
      logger.info({ msg: 'dataset is behind its schedule: collecting now', job: job.id });
      due(s, dataDue, 'catch-up');
    }
  };

  return {
    async start() {
      const now = clock.now();
      const states = await register();
      // Runs left `running` by a process of this machine that has exited are not waited for: their
      // leases end now, and they are taken over below with the expired ones.
      for (const run of await store.findRunningJobRuns([...slots.keys()])) await takeOverFromGone(run, now);
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
        for (const { abort, run } of live) {
          abort(new GapwardenError('ABORTED', 'gapwarden is shutting down'));
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
    async history(jobId, options) {
      slot(jobId);
      return store.listJobRuns(jobId, options);
    },
    async idle() {
      for (;;) {
        const running = [...slots.values()].flatMap((s) => [...s.running]);
        if (running.length === 0) return;
        await Promise.allSettled(running);
      }
    },
  };
}

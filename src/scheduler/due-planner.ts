import { DueHeap } from './due-heap.js';

/** What the planner needs to know about a job. */
export interface JobDueState {
  /** Its next due time; undefined when it has none (it never fires again). */
  nextDueMs: number | undefined;
  /** A paused job keeps its due time but is never due. */
  paused: boolean;
}

/** One job's run that is due. */
export interface DueRun {
  jobId: string;
  /** The nominal due time: the run's identity. */
  dueMs: number;
  /** When it was planned to start: the due time plus its jitter (equal without jitter). */
  startMs: number;
}

export interface TickPlan {
  /** Runs whose start is at or before now, by start (ties: first set, first out); at most one per job. */
  due: DueRun[];
  /** When the next run starts (after the runs taken were rescheduled), or undefined when none will. */
  nextWakeupMs: number | undefined;
}

export interface PlanTickOptions {
  /** At most this many runs are taken; the rest stay due for the next tick. @default Infinity */
  max?: number;
  /**
   * The next due time of a job whose run was just taken (undefined: it has no
   * more). Without it a taken job waits, with no due time, until `set` again.
   * A result whose start is at or before now is taken at the next tick, not this one.
   */
  reschedule?: (run: DueRun) => number | undefined;
}

export interface DuePlannerOptions {
  /**
   * When a run due at `dueMs` starts, e.g. `(id, due) => schedules.get(id).startAt(id, due)`
   * to apply jitter. @default the due time itself
   */
  startAt?: (jobId: string, dueMs: number) => number;
}

/**
 * Which jobs are due, for a runner with many jobs: a heap keyed by start time,
 * so a tick costs O(k log n) for k due runs among n jobs, and the runner
 * sleeps until `nextWakeupMs`.
 */
export interface DuePlanner {
  readonly size: number;
  /** Adds or updates a job. */
  set(jobId: string, state: JobDueState): void;
  get(jobId: string): JobDueState | undefined;
  delete(jobId: string): boolean;
  /** Takes the runs whose start is at or before `nowMs`. */
  planTick(nowMs: number, options?: PlanTickOptions): TickPlan;
  /** The earliest start of an active job's next run. */
  nextWakeupMs(): number | undefined;
}

/**
 * @example
 * const planner = createDuePlanner({ startAt: (id, due) => schedules.get(id)!.startAt(id, due) });
 * planner.set('prices', { nextDueMs: 1000, paused: false });
 * planner.planTick(1500, { reschedule: (run) => schedules.get(run.jobId)!.next(run.dueMs) });
 * // { due: [{ jobId: 'prices', dueMs: 1000, startMs: 1000 }], nextWakeupMs: 2000 }
 */
export function createDuePlanner(options: DuePlannerOptions = {}): DuePlanner {
  const startAt = options.startAt ?? ((_jobId: string, dueMs: number) => dueMs);
  const heap = new DueHeap();
  const jobs = new Map<string, JobDueState>();

  /** Puts the job in the heap, keyed by its next start, when it has a due time and is not paused. */
  const place = (jobId: string, state: JobDueState): void => {
    if (state.paused || state.nextDueMs === undefined) heap.delete(jobId);
    else heap.set(jobId, startAt(jobId, state.nextDueMs));
  };

  return {
    get size() {
      return jobs.size;
    },
    set(jobId, state) {
      const known = jobs.get(jobId);
      const kept = known ?? { nextDueMs: undefined, paused: false };
      kept.nextDueMs = state.nextDueMs;
      kept.paused = state.paused;
      if (known === undefined) jobs.set(jobId, kept);
      place(jobId, kept);
    },
    get: (jobId) => {
      const state = jobs.get(jobId);
      return state === undefined ? undefined : { ...state };
    },
    delete(jobId) {
      heap.delete(jobId);
      return jobs.delete(jobId);
    },
    planTick(nowMs, tickOptions = {}) {
      const max = tickOptions.max ?? Number.POSITIVE_INFINITY;
      const due: DueRun[] = [];
      while (due.length < max) {
        const top = heap.peekDue();
        if (top === undefined || top > nowMs) break;
        const taken = heap.pop()!;
        due.push({ jobId: taken.id, dueMs: jobs.get(taken.id)!.nextDueMs!, startMs: taken.dueMs });
      }
      // Rescheduled after the loop, so a job whose next run should already have started waits for the next tick.
      for (const run of due) {
        const state = jobs.get(run.jobId)!;
        state.nextDueMs = tickOptions.reschedule?.(run);
        place(run.jobId, state);
      }
      return { due, nextWakeupMs: heap.peekDue() };
    },
    nextWakeupMs: () => heap.peekDue(),
  };
}

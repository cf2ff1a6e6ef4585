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
  dueMs: number;
}

export interface TickPlan {
  /** Runs due at or before now, by due time then job id; at most one per job. */
  due: DueRun[];
  /** When the next run falls due (after the runs taken were rescheduled), or undefined when none will. */
  nextWakeupMs: number | undefined;
}

export interface PlanTickOptions {
  /** At most this many runs are taken; the rest stay due for the next tick. @default Infinity */
  max?: number;
  /**
   * The next due time of a job whose run was just taken (undefined: it has no
   * more). Without it a taken job waits, with no due time, until `set` again.
   * A result at or before now is due at the next tick, not this one.
   */
  reschedule?: (run: DueRun) => number | undefined;
}

/**
 * Which jobs are due, for a runner with many jobs: a heap keyed by next due
 * time, so a tick costs O(k log n) for k due runs among n jobs, and the
 * runner sleeps until `nextWakeupMs`.
 */
export interface DuePlanner {
  readonly size: number;
  /** Adds or updates a job. */
  set(jobId: string, state: JobDueState): void;
  get(jobId: string): JobDueState | undefined;
  delete(jobId: string): boolean;
  /** Takes the runs due at or before `nowMs`. */
  planTick(nowMs: number, options?: PlanTickOptions): TickPlan;
  /** The earliest due time of an active job. */
  nextWakeupMs(): number | undefined;
}

/**
 * @example
 * const planner = createDuePlanner();
 * planner.set('prices', { nextDueMs: 1000, paused: false });
 * planner.planTick(1500, { reschedule: (run) => schedule.next(run.dueMs) });
 * // { due: [{ jobId: 'prices', dueMs: 1000 }], nextWakeupMs: 2000 }
 */
export function createDuePlanner(): DuePlanner {
  const heap = new DueHeap();
  const jobs = new Map<string, JobDueState>();

  const set = (jobId: string, state: JobDueState): void => {
    const known = jobs.get(jobId);
    if (known === undefined) jobs.set(jobId, { nextDueMs: state.nextDueMs, paused: state.paused });
    else {
      known.nextDueMs = state.nextDueMs;
      known.paused = state.paused;
    }
    if (state.paused || state.nextDueMs === undefined) heap.delete(jobId);
    else heap.set(jobId, state.nextDueMs);
  };

  return {
    get size() {
      return jobs.size;
    },
    set,
    get: (jobId) => {
      const state = jobs.get(jobId);
      return state === undefined ? undefined : { ...state };
    },
    delete(jobId) {
      heap.delete(jobId);
      return jobs.delete(jobId);
    },
    planTick(nowMs, options = {}) {
      const max = options.max ?? Number.POSITIVE_INFINITY;
      const due: DueRun[] = [];
      while (due.length < max) {
        const top = heap.peekDue();
        if (top === undefined || top > nowMs) break;
        const run = heap.pop()!;
        due.push({ jobId: run.id, dueMs: run.dueMs });
      }
      // Rescheduled after the loop, so a job whose next due time is already past waits for the next tick.
      for (const run of due) {
        const state = jobs.get(run.jobId)!;
        state.nextDueMs = options.reschedule?.(run);
        if (state.nextDueMs !== undefined) heap.set(run.jobId, state.nextDueMs);
      }
      return { due, nextWakeupMs: heap.peekDue() };
    },
    nextWakeupMs: () => heap.peekDue(),
  };
}

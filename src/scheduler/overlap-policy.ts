/** What a run does when it falls due while the job's previous run is still going. */
export type OverlapPolicy = 'skip' | 'queue';

/** `start` it now; `skip` it (record it as skipped); `queue` it to start when the running one ends. */
export type OverlapDecision = 'start' | 'skip' | 'queue';

/**
 * The decision for a run that falls due now. At most one run waits: with
 * `queue`, a due run while one is already queued is skipped, so a job slower
 * than its schedule never builds a backlog.
 *
 * @example
 * decideOverlap('queue', true, 0); // 'queue'
 * decideOverlap('queue', true, 1); // 'skip'
 */
export function decideOverlap(policy: OverlapPolicy, running: boolean, queued: number): OverlapDecision {
  if (!running) return 'start';
  return policy === 'queue' && queued === 0 ? 'queue' : 'skip';
}

/** One job's overlap state, kept by the runner. */
export interface OverlapState {
  /** Due time of the run in progress, if any. */
  readonly runningDue: number | undefined;
  /** Due time of the run waiting for it, if any. */
  readonly queuedDue: number | undefined;
}

export const IDLE: OverlapState = { runningDue: undefined, queuedDue: undefined };

export interface OverlapStep {
  state: OverlapState;
  /** Due time of the run to start now, if any. */
  start?: number;
  /** Due time recorded as skipped, if any. */
  skipped?: number;
}

/**
 * A run falls due: starts, waits behind the running one, or is skipped.
 *
 * @example
 * let s = onDue(IDLE, 'queue', 1000).state;  // start 1000
 * s = onDue(s, 'queue', 2000).state;         // 2000 queued
 * onDue(s, 'queue', 3000).skipped;            // 3000
 */
export function onDue(state: OverlapState, policy: OverlapPolicy, dueMs: number): OverlapStep {
  const decision = decideOverlap(
    policy,
    state.runningDue !== undefined,
    state.queuedDue === undefined ? 0 : 1,
  );
  if (decision === 'start') return { state: { runningDue: dueMs, queuedDue: undefined }, start: dueMs };
  if (decision === 'queue') return { state: { ...state, queuedDue: dueMs } };
  return { state, skipped: dueMs };
}

/** The running run ended (however it ended): the queued run, if any, starts now. */
export function onFinish(state: OverlapState): OverlapStep {
  if (state.queuedDue === undefined) return { state: IDLE };
  return { state: { runningDue: state.queuedDue, queuedDue: undefined }, start: state.queuedDue };
}

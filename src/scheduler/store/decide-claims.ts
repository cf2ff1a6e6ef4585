import type { JobClaim, JobClaimResult, JobRun } from './job-store.js';

/** What a batch claim does for one claim: insert a new run, take an abandoned one over, or refuse. */
export type ClaimDecision =
  | { kind: 'insert'; claim: JobClaim }
  | { kind: 'take-over'; claim: JobClaim; run: JobRun }
  | { kind: 'refused'; claim: JobClaim; result: JobClaimResult };

/** The key of a (job, dueAt) pair in a batch. */
export const runKey = (job: string, dueAt: number): string => `${job}\u0000${dueAt}`;

/**
 * Decides a batch of claims from what the transaction read: the paused jobs,
 * the `running` runs of the batch's jobs and the runs already stored at the
 * batch's (job, dueAt) pairs. The same rules as a single claim, in order: a
 * pair claimed earlier in the batch is `done`, a paused job is refused when
 * the claim asks, a stored run is taken over only when its lease expired, and
 * an exclusive claim is refused while a run of the job (stored, or claimed
 * earlier in the batch) holds a live lease. Pure: the adapters do the I/O.
 */
export function decideClaims(
  claims: readonly JobClaim[],
  paused: ReadonlySet<string>,
  running: readonly JobRun[],
  existing: readonly JobRun[],
): ClaimDecision[] {
  const stored = new Map(existing.map((r) => [runKey(r.job, r.dueAt), r]));
  const live = new Map<string, JobRun[]>();
  for (const r of running) live.set(r.job, [...(live.get(r.job) ?? []), r]);
  const claimedJobs = new Set<string>();
  const taken = new Set<string>();
  return claims.map((claim): ClaimDecision => {
    const key = runKey(claim.job, claim.dueAt);
    if (taken.has(key)) return { kind: 'refused', claim, result: { refused: 'done' } };
    if (claim.checkPaused && paused.has(claim.job)) {
      return { kind: 'refused', claim, result: { refused: 'paused' } };
    }
    const found = stored.get(key);
    if (found) {
      if (found.state !== 'running' || (found.leaseUntil ?? 0) >= claim.nowMs) {
        return { kind: 'refused', claim, result: { refused: 'done', by: found } };
      }
      taken.add(key);
      claimedJobs.add(claim.job);
      return { kind: 'take-over', claim, run: found };
    }
    if (claim.exclusive) {
      if (claimedJobs.has(claim.job)) return { kind: 'refused', claim, result: { refused: 'overlap' } };
      const holding = live.get(claim.job)?.find((r) => (r.leaseUntil ?? 0) >= claim.nowMs);
      if (holding) return { kind: 'refused', claim, result: { refused: 'overlap', by: holding } };
    }
    taken.add(key);
    claimedJobs.add(claim.job);
    return { kind: 'insert', claim };
  });
}

/** A new run's lease: from its start when it was claimed ahead of it. */
export const leaseUntilOf = (claim: JobClaim): number =>
  Math.max(claim.nowMs, claim.startsAt ?? claim.nowMs) + claim.leaseMs;

/** The run a batch insert created, built from the claim (the store returned its id). */
export function insertedRun(claim: JobClaim, id: number): JobRun {
  return {
    id,
    job: claim.job,
    dueAt: claim.dueAt,
    trigger: claim.trigger,
    state: 'running',
    attempt: 1,
    holder: claim.holder,
    leaseUntil: leaseUntilOf(claim),
    startedAt: claim.startsAt ?? claim.nowMs,
    finishedAt: null,
    error: null,
    records: null,
    detail: claim.detail ?? null,
  };
}

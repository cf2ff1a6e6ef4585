/**
 * The contract every compiled schedule meets. Times are epoch milliseconds; a
 * *due time* is the nominal instant a run belongs to, the *start* is when it
 * actually begins (the due time plus jitter).
 */

/** One rule's due times, in strictly increasing order. */
export interface DueSequence {
  /** The first due time strictly after `afterMs`, or undefined when there is none. */
  next(afterMs: number): number | undefined;
  /** Exact count of due times in (fromExclusiveMs, toInclusiveMs], for rules that can count without listing. */
  countBetween?(fromExclusiveMs: number, toInclusiveMs: number): number;
}

/** A job's compiled schedule: the union of its rules, duplicates collapsed. */
export interface Schedule extends DueSequence {
  /** Due times in (fromExclusiveMs, toInclusiveMs], ascending, at most `max` of them (the earliest). */
  dueBetween(fromExclusiveMs: number, toInclusiveMs: number, max: number): number[];
  /**
   * How many due times lie in (fromExclusiveMs, toInclusiveMs]. Interval rules
   * count arithmetically; cron rules are walked one by one, so the walk stops
   * at `limit` and returns `limit` when there are at least that many.
   */
  countBetween(fromExclusiveMs: number, toInclusiveMs: number, limit?: number): number;
  /** The latest `max` due times in (fromExclusiveMs, toInclusiveMs], ascending; cost grows with `max`, not the range. */
  latestBetween(fromExclusiveMs: number, toInclusiveMs: number, max: number): number[];
  /** The jitter window of the run due at `dueMs` (0 = none): its start falls in [dueMs, dueMs + window). */
  jitterMs(dueMs: number): number;
  /** When job `jobId`'s run due at `dueMs` starts: the due time plus a deterministic share of the jitter window. */
  startAt(jobId: string, dueMs: number): number;
}

/** Lists due times by stepping `next`. */
export function listDue(
  seq: DueSequence,
  fromExclusiveMs: number,
  toInclusiveMs: number,
  max: number,
): number[] {
  const out: number[] = [];
  for (let t = seq.next(fromExclusiveMs); t !== undefined && t <= toInclusiveMs && out.length < max; ) {
    out.push(t);
    t = seq.next(t);
  }
  return out;
}

/** Counts due times by stepping `next`, stopping at `limit`. */
export function walkCount(
  seq: DueSequence,
  fromExclusiveMs: number,
  toInclusiveMs: number,
  limit: number,
): number {
  let n = 0;
  for (let t = seq.next(fromExclusiveMs); t !== undefined && t <= toInclusiveMs && n < limit; t = seq.next(t))
    n++;
  return n;
}

/** What splitting claimed partitions into range requests needs to know about the dataset. */
export interface RangeRunLimits {
  /** Partitions one range request may span at most (expected ones, claimed or not). */
  rangeSize: number;
  /** How many partitions of `[a, b]` are stored. */
  countPresent(a: number, b: number): number;
  /** How many partitions `[a, b]` is expected to hold (calendars skip excluded days, crons are sparse). */
  countExpected(a: number, b: number): number;
}

/**
 * Splits claimed backfill items (ascending by ordinal) into runs that one
 * range request each can fetch: a run ends before a stored partition (asking
 * for it again would only fetch it twice) and before it would span more than
 * `rangeSize` expected partitions. Partitions between two items of a run that
 * are neither stored nor claimed (queued for later, known missing) are asked
 * for too: whatever comes back for them is stored like the rest. Pure.
 */
export function splitIntoRuns<T extends { ordinal: number }>(
  items: readonly T[],
  limits: RangeRunLimits,
): T[][] {
  const runs: T[][] = [];
  let run: T[] = [];
  let spanned = 0;
  for (const item of items) {
    const prev = run[run.length - 1];
    if (prev === undefined) {
      run.push(item);
      spanned = 1;
      continue;
    }
    const a = prev.ordinal + 1;
    const b = item.ordinal;
    const between = b - a > 0 ? limits.countPresent(a, b - 1) : 0;
    // Adjacent ordinals add one partition; only a wider step needs the partitioning's count.
    const added = b === a ? 1 : limits.countExpected(a, b);
    if (between > 0 || spanned + added > limits.rangeSize) {
      runs.push(run);
      run = [item];
      spanned = 1;
    } else {
      run.push(item);
      spanned += added;
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

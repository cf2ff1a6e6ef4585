/** Backoff between attempts of a failed run; every duration in ms. */
export interface RetryBackoffOptions {
  /** Delay before the first retry. @default 1000 */
  initial?: number;
  /** Longest delay. @default 60_000 */
  max?: number;
  /** Growth per attempt. @default 2 */
  factor?: number;
  /**
   * Share of each delay that is randomised downwards (0 = exact delays, 1 =
   * anywhere from 0 to the full delay), so jobs that failed together do not
   * retry together. @default 0.2
   */
  jitter?: number;
}

/**
 * The wait before retry number `attempt` (1 = the first retry):
 * `min(max, initial * factor^(attempt-1))`, reduced by up to `jitter` of
 * itself. Pure: the randomness comes in as `random` in [0, 1) — pass
 * `Math.random()`, or `seededUnit(jobId, attempt)` for reproducible delays.
 *
 * @example
 * retryDelay(1, { initial: 1000, jitter: 0 }); // 1000
 * retryDelay(4, { initial: 1000, jitter: 0 }); // 8000
 * retryDelay(20, { initial: 1000, max: 60_000, jitter: 0 }); // 60000
 */
export function retryDelay(attempt: number, options: RetryBackoffOptions = {}, random = 0): number {
  const { initial = 1000, max = 60_000, factor = 2, jitter = 0.2 } = options;
  if (!Number.isInteger(attempt) || attempt < 1)
    throw new RangeError(`attempt must be 1 or more, got ${attempt}`);
  if (!(initial >= 0 && max >= initial && factor >= 1 && jitter >= 0 && jitter <= 1)) {
    throw new RangeError(
      `retry backoff needs 0 <= initial <= max, factor >= 1 and 0 <= jitter <= 1; got ${JSON.stringify(options)}`,
    );
  }
  // Capped before the power overflows: factor^attempt reaches Infinity around attempt 1000 for factor 2.
  const grown = initial * factor ** Math.min(attempt - 1, 1024);
  const delay = Number.isFinite(grown) ? Math.min(max, grown) : max;
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(delay * (1 - jitter * r));
}

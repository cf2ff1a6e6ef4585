import type { Clock } from '../internal/clock.js';

/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`.
 * `take()` returns 0 when a token was taken, else how many ms until one is due.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burst;
    this.last = clock.now();
  }

  take(): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
    this.last = now;
    // Refills are fractions: a caller who waited exactly as told must not be sent back for a rounding error.
    if (this.tokens >= 1 - EPSILON) {
      this.tokens = Math.max(0, this.tokens - 1);
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond - EPSILON));
  }
}

const EPSILON = 1e-6;

/** Exponential backoff with equal jitter: between half and all of `initial * 2^(attempt-1)`, capped. */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

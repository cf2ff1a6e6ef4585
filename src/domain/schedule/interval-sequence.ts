import type { DueSequence } from './schedule.js';

/**
 * Due times every `periodMs`, aligned so that `anchorMs` is one of them (the
 * epoch by default: `every: '10s'` fires at :00, :10, :20 ... of every minute).
 * Pure arithmetic, so it ignores time zones and DST by design.
 *
 * @example
 * createIntervalSequence(10_000).next(Date.parse('2026-01-01T00:00:03Z')); // 2026-01-01T00:00:10Z
 */
export function createIntervalSequence(periodMs: number, anchorMs = 0): DueSequence {
  if (!(periodMs >= 1) || !Number.isFinite(periodMs))
    throw new RangeError(`interval must be >= 1 ms, got ${periodMs}`);
  // Ticks are anchor + k * period; k is the number of whole periods since the anchor.
  const index = (t: number): number => Math.floor((t - anchorMs) / periodMs);
  return {
    next: (afterMs) => anchorMs + (index(afterMs) + 1) * periodMs,
    countBetween: (fromExclusiveMs, toInclusiveMs) =>
      toInclusiveMs <= fromExclusiveMs ? 0 : index(toInclusiveMs) - index(fromExclusiveMs),
  };
}

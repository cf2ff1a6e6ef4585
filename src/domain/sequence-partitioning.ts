import { describeValue } from './describe-value.js';
import type { Partitioning } from './partitioning.js';
import { RangeSet } from './range-set.js';

/** Partitions numbered by an integer: block heights, report ids, page numbers. */
export interface SequenceOptions {
  /** The first partition; values below it are rejected. Sets `firstOrdinal` to 0. */
  start?: number;
  /**
   * Distance between consecutive partitions.
   * @default 1
   */
  step?: number;
}

/**
 * A sequence partitioning: ordinal = (value - start) / step, with start
 * defaulting to 0 for alignment when not given.
 *
 * @example
 * const p = createSequencePartitioning({ start: 1, step: 2 });
 * p.toOrdinal(5); // 2
 * p.toOrdinal('7'); // 3
 * p.toOrdinal(4); // { error: 'partition must be an integer on step 2 from 1, found 4' }
 * p.valueOf(3); // 7
 */
export function createSequencePartitioning(options: SequenceOptions = {}): Partitioning {
  const { start } = options;
  const step = options.step ?? 1;
  if (start !== undefined && !Number.isSafeInteger(start)) {
    throw new Error(
      `sequence start must be a safe integer, found ${describeValue(start)}: set start to the first partition number, e.g. start: 1`,
    );
  }
  if (!Number.isSafeInteger(step) || step < 1) {
    throw new Error(
      `sequence step must be a positive integer, found ${describeValue(step)}: omit it for consecutive numbers or set e.g. step: 10`,
    );
  }
  const origin = start ?? 0;
  // Built once: the per-record path only pays for a message when it fails.
  const expectation =
    step !== 1
      ? `an integer on step ${step} from ${origin}`
      : start !== undefined
        ? `an integer from ${start}`
        : 'an integer';
  const fail = (raw: unknown, why = ''): { error: string } => ({
    error: `partition must be ${expectation}, found ${describeValue(raw)}${why}`,
  });

  const toOrdinal = (raw: unknown): number | { error: string } => {
    let value: number;
    if (typeof raw === 'number') {
      value = raw;
    } else if (typeof raw === 'string') {
      if (!isIntegerText(raw)) return fail(raw);
      value = Number(raw);
    } else {
      return fail(raw);
    }
    if (!Number.isSafeInteger(value)) {
      if (Number.isInteger(value))
        return fail(raw, ` (beyond the largest safe integer ${Number.MAX_SAFE_INTEGER})`);
      return fail(raw);
    }
    const offset = value - origin;
    if (start !== undefined && offset < 0) return fail(raw, `, which is before the start ${start}`);
    if (step === 1) return offset === 0 ? 0 : offset; // normalises -0
    if (offset % step !== 0) return fail(raw);
    const ordinal = offset / step;
    return ordinal === 0 ? 0 : ordinal;
  };

  const valueOfOrdinal = (ordinal: number): number => origin + ordinal * step;
  const firstOrdinal = start === undefined ? undefined : 0;

  return {
    kind: 'sequence',
    toOrdinal,
    valueOf: valueOfOrdinal,
    describe(ordinal) {
      const value = String(valueOfOrdinal(ordinal));
      return { partition: value, value };
    },
    expected(from, to) {
      const set = new RangeSet();
      // Ordinals before the configured start can never be valid, so they are never expected.
      const lo = firstOrdinal === undefined ? from : Math.max(from, firstOrdinal);
      if (to >= lo) set.addRange(lo, to);
      return set;
    },
    firstOrdinal,
    latestDue: () => undefined,
    instantOf: () => undefined,
  };
}

/** Optional '-' then ASCII digits; rejects '', ' 1', '1e3', '0x10', '1.0' that Number() would accept. */
function isIntegerText(s: string): boolean {
  const n = s.length;
  let i = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  // Long digit strings are let through so the caller can say "beyond the largest safe integer".
  if (n === i || n - i > 40) return false;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

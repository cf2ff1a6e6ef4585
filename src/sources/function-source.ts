import { describeError, GapwardenError } from '../internal/errors.js';
import type { FetchResult, PartitionRef, RawRecord, RequestPacer, Source } from './source.js';

type Awaitable<T> = T | Promise<T>;

export interface FunctionSourceOptions {
  name: string;
  /** The newest records. */
  latest?: (signal: AbortSignal) => Awaitable<RawRecord[]>;
  /** The records of one partition; `null` (or an empty array) means the source has none. */
  byKey?: (partition: PartitionRef, signal: AbortSignal) => Awaitable<RawRecord[] | null>;
  /** The records of partitions `[from, to]`. */
  byRange?: (from: PartitionRef, to: PartitionRef, signal: AbortSignal) => Awaitable<RawRecord[]>;
}

/**
 * A Source backed by plain functions, for library use and tests. Errors the
 * functions throw that are not GapwardenErrors become retryable
 * SOURCE_UNAVAILABLE (the cause kept), so failover and backfill treat them
 * like any other failing source.
 *
 * @example
 * const source = createFunctionSource({
 *   name: 'archive',
 *   byKey: async (p) => (await archive.get(p.vars.partition)) ?? null,
 * });
 */
export function createFunctionSource(options: FunctionSourceOptions): Source {
  const { name } = options;
  // Callers may omit the signal; the functions always get one so they need no checks.
  const never = new AbortController().signal;

  const run = async (
    call: string,
    signal: AbortSignal | undefined,
    fn: () => Awaitable<RawRecord[] | null>,
    pace?: RequestPacer,
  ) => {
    if (signal?.aborted) {
      throw new GapwardenError('ABORTED', `source "${name}": ${call} aborted`, { cause: signal.reason });
    }
    // One call of the function is one request, as far as the caller's rate limit knows.
    if (pace) await pace(signal);
    try {
      return await fn();
    } catch (err) {
      if (err instanceof GapwardenError) throw err;
      if (signal?.aborted)
        throw new GapwardenError('ABORTED', `source "${name}": ${call} aborted`, { cause: err });
      throw new GapwardenError(
        'SOURCE_UNAVAILABLE',
        `source "${name}": ${call} failed: ${describeError(err)}`,
        {
          retryable: true,
          cause: err,
          details: { source: name, call },
        },
      );
    }
  };

  const unsupported = (call: string) =>
    new GapwardenError('SOURCE_UNSUPPORTED', `source "${name}" has no ${call} function`, {
      details: { source: name, call },
    });

  const result = (records: RawRecord[]): FetchResult => ({ records, rejected: [], source: name });

  return {
    name,
    capabilities: {
      latest: options.latest !== undefined,
      byKey: options.byKey !== undefined,
      byRange: options.byRange !== undefined,
    },

    async latest(signal) {
      const fn = options.latest;
      if (!fn) throw unsupported('latest');
      return result((await run('latest', signal, () => fn(signal ?? never))) ?? []);
    },

    async byKey(partition, signal, pace) {
      const fn = options.byKey;
      if (!fn) throw unsupported('byKey');
      const records = await run('byKey', signal, () => fn(partition, signal ?? never), pace);
      if (records === null || records.length === 0) {
        const label = partition.vars.partition ?? `#${partition.ordinal}`;
        throw new GapwardenError('SOURCE_NOT_FOUND', `source "${name}" has no partition ${label}`, {
          details: { source: name, ordinal: partition.ordinal, partition: partition.vars.partition },
        });
      }
      return result(records);
    },

    async byRange(from, to, signal, pace) {
      const fn = options.byRange;
      if (!fn) throw unsupported('byRange');
      return result((await run('byRange', signal, () => fn(from, to, signal ?? never), pace)) ?? []);
    },
  };
}

/** One record as a source delivers it, before the dataset validates its partition. */
export interface RawRecord {
  key: string;
  /** The raw partition value (a period number, a date string, a timestamp, ...). */
  partition: unknown;
  payload: unknown;
}

/** An item of a response that could not become a record, with the reason. */
export interface Rejection {
  reason: string;
  /** Position of the record in the batch it came in, when known. */
  index?: number;
  key?: string;
}

export interface FetchResult {
  records: RawRecord[];
  rejected: Rejection[];
  /** The name of the source that answered (for failover sources, the one that succeeded). */
  source: string;
}

/** A partition as a source request sees it: the ordinal and its template variables. */
export interface PartitionRef {
  ordinal: number;
  /** `partition`, `date`, `unix`, `ms`, `iso`: see Partitioning.describe. */
  vars: Readonly<Record<string, string>>;
}

/**
 * Awaited before each request a call sends upstream (every page and every
 * retry): the caller's rate limit. It may wait; it throws to give up (abort).
 */
export type RequestPacer = (signal?: AbortSignal) => Promise<void>;

export interface SourceCapabilities {
  latest: boolean;
  byKey: boolean;
  byRange: boolean;
}

/**
 * Where records come from. Errors are GapwardenErrors: `SOURCE_NOT_FOUND` when
 * the source answers that a partition does not exist (not retryable),
 * `SOURCE_UNSUPPORTED` for a call the source has no request for, and
 * retryable `SOURCE_HTTP` / `SOURCE_TIMEOUT` / `SOURCE_RESPONSE_INVALID` for the rest.
 */
export interface Source {
  readonly name: string;
  readonly capabilities: SourceCapabilities;
  /** The newest records. */
  latest(signal?: AbortSignal): Promise<FetchResult>;
  /** The records of one partition; throws `SOURCE_NOT_FOUND` when the source has none. */
  byKey(partition: PartitionRef, signal?: AbortSignal, pace?: RequestPacer): Promise<FetchResult>;
  /**
   * The records of partitions `[from, to]`, following pagination. A source
   * that has none of them answers with no records rather than `SOURCE_NOT_FOUND`.
   */
  byRange(
    from: PartitionRef,
    to: PartitionRef,
    signal?: AbortSignal,
    pace?: RequestPacer,
  ): Promise<FetchResult>;
}

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
  byKey(partition: PartitionRef, signal?: AbortSignal): Promise<FetchResult>;
  /** The records of partitions `[from, to]`, following pagination. */
  byRange(from: PartitionRef, to: PartitionRef, signal?: AbortSignal): Promise<FetchResult>;
}

/** Health of one source as its circuit breaker sees it. */
export interface SourceHealth {
  source: string;
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastError: string | null;
  /** While open: when the next trial call is allowed. */
  retryAt: number | null;
}

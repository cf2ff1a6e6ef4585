/**
 * Stable error codes. HTTP statuses and CLI exit codes are mapped from `code`,
 * never from message text.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  | 'DATASET_UNKNOWN'
  | 'RECORD_INVALID'
  | 'PARTITION_OUT_OF_DOMAIN'
  | 'SOURCE_HTTP'
  | 'SOURCE_TIMEOUT'
  | 'SOURCE_RESPONSE_INVALID'
  | 'SOURCE_REJECTED'
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_UNAVAILABLE'
  | 'SOURCE_UNSUPPORTED'
  | 'STORE_FAILED'
  | 'ABORTED'
  | 'REQUEST_INVALID'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'CHECK_FAILED'
  | 'JOB_UNKNOWN'
  | 'STORE_UNAVAILABLE'
  | 'STORE_MISSING'
  | 'CONNECTION_FAILED'
  | 'CONNECTION_READ_ONLY'
  | 'CHECK_UNKNOWN'
  | 'ROLLBACK_REFUSED'
  | 'STREAM_UNAVAILABLE';

export interface GapwardenErrorOptions {
  cause?: unknown;
  /** Whether repeating the same call later may succeed. */
  retryable?: boolean;
  /** Structured detail for logs and `--json` output. */
  details?: Record<string, unknown>;
}

/** The base of every error gapwarden throws on purpose. */
export class GapwardenError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: GapwardenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GapwardenError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

/** One problem in a configuration, located by its field path. */
export interface ConfigIssue {
  path: string;
  expected: string;
  found: string;
  message: string;
}

/** A configuration that failed validation; lists every issue, not just the first. */
export class ConfigError extends GapwardenError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], file?: string) {
    const where = file ? ` in ${file}` : '';
    const lines = issues.map(
      (i) => `  - ${i.path || '(root)'}: ${i.message} (expected ${i.expected}, found ${i.found})`,
    );
    super('CONFIG_INVALID', `invalid configuration${where}:\n${lines.join('\n')}`, { details: { issues } });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Returns true when `err` is a GapwardenError with one of `codes`. */
export function hasCode(err: unknown, ...codes: ErrorCode[]): err is GapwardenError {
  return err instanceof GapwardenError && codes.includes(err.code);
}

/** Maps an error to the CLI exit code: 2 for bad input or configuration, 1 otherwise. */
export function exitCodeFor(err: unknown): number {
  if (
    hasCode(
      err,
      'CONFIG_INVALID',
      'CONFIG_NOT_FOUND',
      'DATASET_UNKNOWN',
      'JOB_UNKNOWN',
      'RECORD_INVALID',
      'CHECK_UNKNOWN',
    )
  )
    return 2;
  return 1;
}

/** A short, single-line description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

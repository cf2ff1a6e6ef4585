import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { describeError, type ErrorCode, GapwardenError } from '../internal/errors.js';
import type { Logger } from '../internal/logger.js';
import { noRedaction, type Redact, redactDeep } from '../internal/redactor.js';

/** HTTP status per error code; mapped from the code, never from message text. */
const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  REQUEST_INVALID: 400,
  RECORD_INVALID: 400,
  PARTITION_OUT_OF_DOMAIN: 400,
  CONFIG_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  DATASET_UNKNOWN: 404,
  JOB_UNKNOWN: 404,
  CHECK_UNKNOWN: 404,
  CONNECTION_READ_ONLY: 409,
  ROLLBACK_REFUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  SOURCE_UNSUPPORTED: 409,
  SOURCE_HTTP: 502,
  SOURCE_TIMEOUT: 504,
  SOURCE_RESPONSE_INVALID: 502,
  SOURCE_REJECTED: 502,
  SOURCE_NOT_FOUND: 404,
  SOURCE_UNAVAILABLE: 503,
  STORE_FAILED: 503,
  STORE_UNAVAILABLE: 503,
  STORE_MISSING: 503,
  STREAM_UNAVAILABLE: 503,
};

export function statusFor(err: unknown): ContentfulStatusCode {
  return err instanceof GapwardenError ? (STATUS[err.code] ?? 500) : 500;
}

/** The one error body every route answers with: `{ error: { code, message } }`, secrets masked. */
export function errorResponse(
  c: Context,
  err: unknown,
  logger?: Logger,
  redact: Redact = noRedaction,
): Response {
  const status = statusFor(err);
  const code = err instanceof GapwardenError ? err.code : 'INTERNAL';
  if (status >= 500)
    logger?.error({ msg: 'request failed', path: c.req.path, code, error: describeError(err) });
  const message =
    status >= 500 && code === 'INTERNAL' ? 'internal error (see the server log)' : redact(describeError(err));
  const details =
    err instanceof GapwardenError && Object.keys(err.details).length > 0
      ? redactDeep(err.details, redact)
      : undefined;
  return c.json({ error: { code, message, ...(details ? { details } : {}) } }, status);
}

import { GapwardenError } from '../internal/errors.js';
import { noRedaction, type Redact, redactDeep } from '../internal/redactor.js';
import type { Source } from './source.js';

/**
 * `source` whose errors carry no secret: message, details (the URL, the start
 * of an upstream body that may echo the request) and causes are redacted
 * before anything sees them — the breaker's `lastError`, failover, job runs,
 * backfill, logs, events and API answers all start from this error.
 */
export function redactingSource(source: Source, redact: Redact): Source {
  if (redact === noRedaction) return source;
  const clean = (err: unknown): never => {
    throw redactError(err, redact);
  };
  return {
    name: source.name,
    capabilities: source.capabilities,
    latest: (signal) => source.latest(signal).catch(clean),
    byKey: (partition, signal, pace) => source.byKey(partition, signal, pace).catch(clean),
    byRange: (from, to, signal, pace) => source.byRange(from, to, signal, pace).catch(clean),
  };
}

/**
 * `err` with secrets masked in its message, details and cause chain; the same
 * error (class and code kept) when it held none.
 */
export function redactError(err: unknown, redact: Redact, depth = 0): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? redact(err) : err;
  const message = redact(err.message);
  const cause = depth < 4 && err.cause !== undefined ? redactError(err.cause, redact, depth + 1) : err.cause;
  const details = err instanceof GapwardenError ? redactDeep(err.details, redact) : undefined;
  if (message === err.message && cause === err.cause && !changed(details, (err as GapwardenError).details))
    return err;
  const options = cause === undefined ? {} : { cause };
  if (err instanceof GapwardenError) {
    const copy = new GapwardenError(err.code, message, {
      ...options,
      retryable: err.retryable,
      details: details as Record<string, unknown>,
    });
    copy.name = err.name;
    return copy;
  }
  const copy = new Error(message, options);
  copy.name = err.name;
  return copy;
}

function changed(redacted: unknown, original: unknown): boolean {
  if (redacted === undefined) return false;
  try {
    return JSON.stringify(redacted) !== JSON.stringify(original);
  } catch {
    return true;
  }
}

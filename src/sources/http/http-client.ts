import type { Clock } from '../../internal/clock.js';
import { describeError, GapwardenError } from '../../internal/errors.js';
import type { Logger } from '../../internal/logger.js';
import type { SourceRequestOutcome } from '../source-request.js';

/** One fully rendered request. Rebuilt for every attempt so timestamps and signatures stay fresh. */
export interface PreparedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** The URL with signature and credential-looking parameters masked: the only form logged or put in errors. */
  safeUrl: string;
}

export interface RetryPolicy {
  timeoutMs: number;
  retries: number;
  backoff: { initialMs: number; maxMs: number };
  maxRetryAfterMs: number;
}

export interface HttpClientDeps {
  source: string;
  fetch: typeof fetch;
  clock: Clock;
  logger: Logger;
  /** Uniform in [0, 1); injectable so jitter is deterministic in tests. */
  random: () => number;
}

/** A parsed 2xx JSON response. */
export interface JsonResponse {
  status: number;
  body: unknown;
  safeUrl: string;
  /** Duration of the attempt that succeeded, retries and their waits excluded. */
  ms: number;
}

/** One attempt that failed, for request metrics. */
export interface FailedAttempt {
  outcome: Exclude<SourceRequestOutcome, 'ok'>;
  ms: number;
  status?: number;
}

/** Query parameter names masked in logged URLs even when they are not the signature. */
const CREDENTIAL_NAME = /key|token|secret|sign|pass|auth/i;

/** `url` as text with the values of `secretNames` and credential-looking parameters replaced by `***`. */
export function redactUrl(url: URL, secretNames: ReadonlySet<string>): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  for (const name of new Set(copy.searchParams.keys())) {
    if (secretNames.has(name) || CREDENTIAL_NAME.test(name)) copy.searchParams.set(name, '***');
  }
  // URLSearchParams encodes `*` as %2A; keep the mask readable.
  return copy.href.replaceAll('%2A%2A%2A', '***');
}

/**
 * Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP date,
 * measured against the clock), or undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Full jitter (AWS architecture blog): uniform in [0, min(max, initial * 2^attempt)]. */
export function backoffDelay(attempt: number, backoff: RetryPolicy['backoff'], random: () => number): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Sends a request and parses the JSON answer, retrying retryable failures
 * (network errors, timeouts, 408, 429, 5xx, malformed JSON) with backoff.
 * Throws GapwardenError: SOURCE_TIMEOUT, SOURCE_HTTP (details.status; 404 is
 * left to the caller to interpret), SOURCE_RESPONSE_INVALID, or ABORTED when
 * `signal` aborts.
 *
 * `onFailedAttempt` hears about every attempt that failed (except aborted
 * ones); the successful attempt is left to the caller, which knows whether the
 * body means success once it has interpreted it.
 */
export async function requestJson(
  prepare: () => PreparedRequest,
  policy: RetryPolicy,
  deps: HttpClientDeps,
  signal?: AbortSignal,
  onFailedAttempt?: (attempt: FailedAttempt) => void,
): Promise<JsonResponse> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal, deps.source);
    const req = prepare();
    const started = performance.now();
    try {
      const res = await attemptOnce(req, attempt, policy, deps, signal);
      return { ...res, ms: performance.now() - started };
    } catch (err) {
      const failed = classifyFailure(err, performance.now() - started);
      if (failed) onFailedAttempt?.(failed);
      if (!(err instanceof GapwardenError) || !err.retryable) throw err;
      const retryAfterMs = err.details.retryAfterMs;
      const honoursRetryAfter = typeof retryAfterMs === 'number';
      // A wait longer than we are willing to block a caller for is handed back
      // (retryable, with retryAfterMs) so the backfill queue can schedule it.
      if (honoursRetryAfter && retryAfterMs > policy.maxRetryAfterMs) throw err;
      if (attempt >= policy.retries) {
        err.details.attempts = attempt + 1;
        throw err;
      }
      const delayMs = honoursRetryAfter ? retryAfterMs : backoffDelay(attempt, policy.backoff, deps.random);
      deps.logger.warn({
        msg: 'source request failed, retrying',
        source: deps.source,
        url: req.safeUrl,
        attempt: attempt + 1,
        code: err.code,
        error: err.message,
        delayMs,
      });
      try {
        await deps.clock.sleep(delayMs, signal);
      } catch (sleepErr) {
        throw abortedError(deps.source, sleepErr);
      }
    }
  }
}

async function attemptOnce(
  req: PreparedRequest,
  attempt: number,
  policy: RetryPolicy,
  deps: HttpClientDeps,
  signal: AbortSignal | undefined,
): Promise<Omit<JsonResponse, 'ms'>> {
  const timeout = AbortSignal.timeout(policy.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const what = `source "${deps.source}": ${req.method} ${req.safeUrl}`;
  const started = performance.now();
  let status: number | null = null;
  let text: string;
  let res: Response;
  try {
    res = await deps.fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      signal: combined,
    });
    status = res.status;
    // The body is read under the same signal, so a server that stalls mid-body times out too.
    text = await res.text();
  } catch (err) {
    if (signal?.aborted) throw abortedError(deps.source, err);
    if (timeout.aborted) {
      throw new GapwardenError('SOURCE_TIMEOUT', `${what} timed out after ${policy.timeoutMs} ms`, {
        retryable: true,
        cause: err,
        details: { source: deps.source, url: req.safeUrl, status, timeoutMs: policy.timeoutMs },
      });
    }
    throw new GapwardenError('SOURCE_HTTP', `${what} failed: ${networkReason(err)}`, {
      retryable: true,
      cause: err,
      details: { source: deps.source, url: req.safeUrl, status: null },
    });
  }
  const ms = Math.round(performance.now() - started);
  deps.logger.debug({ msg: 'source response', source: deps.source, url: req.safeUrl, status, ms, attempt });

  if (res.status < 200 || res.status > 299) {
    const details: Record<string, unknown> = {
      source: deps.source,
      url: req.safeUrl,
      status: res.status,
      bodyStart: text.slice(0, 200),
    };
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    if (res.status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), deps.clock.now());
      if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
    }
    throw new GapwardenError('SOURCE_HTTP', `${what} answered HTTP ${res.status}`, { retryable, details });
  }
  try {
    return { status: res.status, body: JSON.parse(text) as unknown, safeUrl: req.safeUrl };
  } catch (err) {
    throw new GapwardenError(
      'SOURCE_RESPONSE_INVALID',
      `${what} returned malformed JSON: ${describeError(err)}`,
      {
        retryable: true,
        cause: err,
        details: { source: deps.source, url: req.safeUrl, status: res.status, bodyStart: text.slice(0, 200) },
      },
    );
  }
}

/** The request-metrics view of an attempt's error; undefined for one gapwarden aborted itself. */
export function classifyFailure(err: unknown, ms: number): FailedAttempt | undefined {
  if (!(err instanceof GapwardenError)) return { outcome: 'error', ms };
  if (err.code === 'ABORTED') return undefined;
  const status = typeof err.details.status === 'number' ? err.details.status : undefined;
  const withStatus = status === undefined ? { ms } : { ms, status };
  if (err.code === 'SOURCE_TIMEOUT') return { outcome: 'timeout', ...withStatus };
  if (status === 404) return { outcome: 'not_found', ...withStatus };
  if (status === 429) return { outcome: 'rate_limited', ...withStatus };
  return { outcome: 'error', ...withStatus };
}

/** undici hides the useful part (ECONNREFUSED, ...) in `cause`. */
function networkReason(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return describeError(err);
}

function throwIfAborted(signal: AbortSignal | undefined, source: string): void {
  if (signal?.aborted) throw abortedError(source, signal.reason);
}

function abortedError(source: string, cause: unknown): GapwardenError {
  return new GapwardenError('ABORTED', `source "${source}": request aborted`, { cause, details: { source } });
}

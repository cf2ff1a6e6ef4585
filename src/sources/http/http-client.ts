import type { Clock } from '../../internal/clock.js';
import { describeError, GapwardenError, hasCode } from '../../internal/errors.js';
import type { Logger } from '../../internal/logger.js';
import type { RequestPacer } from '../source.js';
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
  /** Largest response body read, bytes; a larger one fails the call (see `readBodyText`). */
  maxResponseBytes: number;
}

export interface HttpClientDeps {
  source: string;
  fetch: typeof fetch;
  clock: Clock;
  logger: Logger;
  /** Uniform in [0, 1); injectable so jitter is deterministic in tests. */
  random: () => number;
  /**
   * Until when (clock ms) the upstream asked not to be called (a 429's
   * `Retry-After`). Shared by every call of the source, so concurrent calls
   * wait too, not only the retry of the one that was told. @default no hold
   */
  hold?: { until: number };
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
 * Every attempt first awaits `pace` (the caller's rate limit), then any hold a
 * 429's `Retry-After` put on the source (`deps.hold`); a hold longer than
 * `maxRetryAfterMs` fails the call at once, retryable with `retryAfterMs`.
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
  pace?: RequestPacer,
): Promise<JsonResponse> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(signal, deps.source);
    if (pace) {
      try {
        await pace(signal);
      } catch (err) {
        throw abortedError(deps.source, err);
      }
    }
    await waitForHold(policy, deps, signal);
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
    // An error answer is only quoted (bodyStart), so only its start is read.
    const ok = res.status >= 200 && res.status <= 299;
    const read = await readBodyText(res, ok ? policy.maxResponseBytes : ERROR_BODY_BYTES);
    if (read.truncated && ok)
      throw tooLarge(what, deps.source, req.safeUrl, res.status, policy.maxResponseBytes);
    text = read.text;
  } catch (err) {
    if (hasCode(err, 'SOURCE_RESPONSE_INVALID')) throw err;
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
      const now = deps.clock.now();
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now);
      if (retryAfterMs !== undefined) {
        details.retryAfterMs = retryAfterMs;
        if (deps.hold) deps.hold.until = Math.max(deps.hold.until, now + retryAfterMs);
      }
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

/**
 * Waits out the source's Retry-After hold; one longer than the caller is
 * willing to block for is handed back (retryable, with `retryAfterMs`) so the
 * backfill queue schedules it instead.
 */
async function waitForHold(policy: RetryPolicy, deps: HttpClientDeps, signal?: AbortSignal): Promise<void> {
  const waitMs = (deps.hold?.until ?? 0) - deps.clock.now();
  if (waitMs <= 0) return;
  if (waitMs > policy.maxRetryAfterMs) {
    throw new GapwardenError(
      'SOURCE_HTTP',
      `source "${deps.source}": the upstream asked (HTTP 429, Retry-After) not to be called for another ${Math.ceil(waitMs)} ms`,
      { retryable: true, details: { source: deps.source, retryAfterMs: waitMs } },
    );
  }
  try {
    await deps.clock.sleep(waitMs, signal);
  } catch (err) {
    throw abortedError(deps.source, err);
  }
}

/** How much of an error answer is read (its start is quoted in the error). */
const ERROR_BODY_BYTES = 64 * 1024;

/**
 * Reads a response body as UTF-8 text, at most `limit` bytes: a declared
 * Content-Length over the limit stops before reading, a body that grows past
 * it stops there (the rest is never buffered) and is reported `truncated`.
 */
export async function readBodyText(
  res: Response,
  limit: number,
): Promise<{ text: string; truncated: boolean }> {
  const declared = Number(res.headers.get('content-length'));
  // Content-Length counts encoded bytes; only trusted as the size when the body is not compressed.
  if (!res.headers.get('content-encoding') && Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => {});
    return { text: '', truncated: true };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > limit) {
        chunks.push(value.subarray(0, limit - size));
        size = limit;
        truncated = true;
        await reader.cancel().catch(() => {});
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  }
  // TextDecoder drops a UTF-8 byte order mark, as `Response.text()` does.
  return { text: new TextDecoder().decode(Buffer.concat(chunks, size)), truncated };
}

function tooLarge(what: string, source: string, url: string, status: number, limit: number): GapwardenError {
  return new GapwardenError(
    'SOURCE_RESPONSE_INVALID',
    `${what} answered more than ${limit} bytes (maxResponseBytes); raise maxResponseBytes of source "${source}" if such answers are expected, or ask for less per request (a smaller range or page)`,
    // The same request would get the same answer: not retried.
    { retryable: false, details: { source, url, status, maxResponseBytes: limit } },
  );
}

/** The request-metrics view of an attempt's error; undefined for one gapwarden aborted itself. */
export function classifyFailure(err: unknown, ms: number): FailedAttempt | undefined {
  // attemptOnce wraps every failure of fetch; anything else never reached an answer.
  if (!(err instanceof GapwardenError)) return { outcome: 'network', ms };
  if (err.code === 'ABORTED') return undefined;
  const status = typeof err.details.status === 'number' ? err.details.status : undefined;
  const withStatus = status === undefined ? { ms } : { ms, status };
  if (err.code === 'SOURCE_TIMEOUT') return { outcome: 'timeout', ...withStatus };
  if (err.code === 'SOURCE_RESPONSE_INVALID') return { outcome: 'malformed', ...withStatus };
  if (status === undefined) return { outcome: 'network', ms };
  if (status === 404) return { outcome: 'not_found', ...withStatus };
  if (status === 429) return { outcome: 'rate_limited', ...withStatus };
  return { outcome: status >= 500 ? 'http_5xx' : 'http_4xx', ...withStatus };
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

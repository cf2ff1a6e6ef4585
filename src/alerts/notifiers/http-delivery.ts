import type { CompiledReceiver } from '../../config/compiled-receiver.js';
import type { Clock } from '../../internal/clock.js';
import { describeError } from '../../internal/errors.js';
import type { Redact } from '../../internal/redactor.js';
import { parseRetryAfter, readBodyText } from '../../sources/http/http-client.js';
import type { ChannelKind, DeliveryOutcome } from '../notifier.js';
import { type NotifierDeps, receiverRedactor } from './notifier-deps.js';

/** One POST to a receiver. */
export interface HttpPost {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A 2xx answer, for a channel to interpret (vendors that report errors with 200). */
export interface HttpAnswer {
  status: number;
  text: string;
}

export interface HttpDeliveryContext {
  receiver: string;
  channel: ChannelKind;
  timeoutMs: number;
  fetch: typeof fetch;
  clock: Clock;
  redact: Redact;
}

/** The delivery context of one HTTP receiver. */
export function httpContext(receiver: CompiledReceiver, deps: NotifierDeps): HttpDeliveryContext {
  return {
    receiver: receiver.name,
    channel: receiver.channel,
    timeoutMs: receiver.timeoutMs,
    fetch: deps.fetch ?? fetch,
    clock: deps.clock,
    redact: receiverRedactor(receiver, deps.redact),
  };
}

/** How much of an answer is read: vendors answer a few bytes; an error body is only quoted. */
const ANSWER_BYTES = 64 * 1024;

/**
 * POSTs once and says what happened: a 2xx is `ok` unless `interpret` finds
 * an error in the body; a network error, a timeout, 408, 429 and 5xx are
 * retryable (with the `Retry-After` the receiver sent, if any); other 4xx are
 * not. Never throws. Errors name the receiver, the channel and the URL's
 * origin only (a path or query may carry a token), and are redacted.
 */
export async function postOnce(
  post: HttpPost,
  ctx: HttpDeliveryContext,
  signal: AbortSignal,
  interpret?: (answer: HttpAnswer) => DeliveryOutcome | undefined,
): Promise<DeliveryOutcome> {
  const { url, headers } = moveCredentials(post.url, post.headers);
  const what = `${ctx.channel} receiver "${ctx.receiver}": POST ${originOf(url)}`;
  const fail = (retryable: boolean, error: string, extra: { status?: number; retryAfterMs?: number } = {}) =>
    ({ ok: false, retryable, error: ctx.redact(error), ...extra }) satisfies DeliveryOutcome;
  if (signal.aborted) return fail(true, `${what} not sent: delivery aborted`);
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  let res: Response;
  let text: string;
  try {
    res = await ctx.fetch(url, {
      method: 'POST',
      headers,
      body: post.body,
      signal: AbortSignal.any([signal, timeout]),
      // A redirect is not followed: a POST must not be replayed at another address unseen.
      redirect: 'manual',
    });
    // Read under the same signals, so a receiver that stalls mid-answer times out too.
    text = (await readBodyText(res, ANSWER_BYTES)).text;
  } catch (err) {
    if (signal.aborted) return fail(true, `${what} aborted (the receiver may have got it)`);
    if (timeout.aborted) return fail(true, `${what} timed out after ${ctx.timeoutMs} ms`);
    return fail(true, `${what} failed: ${networkReason(err)}`);
  }
  if (res.status >= 200 && res.status <= 299) {
    const outcome = interpret?.({ status: res.status, text }) ?? { ok: true, status: res.status };
    return outcome.ok ? outcome : { ...outcome, error: ctx.redact(outcome.error) };
  }
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  const retryAfterMs = retryable
    ? parseRetryAfter(res.headers.get('retry-after'), ctx.clock.now())
    : undefined;
  const location = res.headers.get('location');
  const quoted =
    res.status >= 300 && res.status <= 399
      ? `a redirect${location ? ` to ${originOf(resolveUrl(location, url))}` : ''}; configure the address it points to`
      : quote(text);
  return fail(retryable, `${what} answered HTTP ${res.status}${quoted ? `: ${quoted}` : ''}`, {
    status: res.status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** `https://host:port` of a URL: what an error may show of it. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(a URL)';
  }
}

function resolveUrl(relative: string, base: string): string {
  try {
    return new URL(relative, base).href;
  } catch {
    return '';
  }
}

/** The start of an answer, on one line, for an error. */
export function quote(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * fetch refuses URLs with credentials in them (`https://user:pass@host`): they
 * become a Basic `Authorization` header, unless one is set already.
 */
function moveCredentials(
  text: string,
  headers: Record<string, string>,
): { url: string; headers: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { url: text, headers };
  }
  if (url.username === '' && url.password === '') return { url: text, headers };
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const has = Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
  const auth = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  return { url: url.href, headers: has ? headers : { ...headers, authorization: auth } };
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

/**
 * The JSON body of a chat robot's answer (DingTalk, WeCom, Feishu), or
 * undefined when it is not a JSON object.
 */
export function parseAnswer(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The JSON request headers every HTTP channel sends, then `extra`; names are
 * lower-cased, so a configured `Content-Type` replaces the default rather
 * than being sent beside it.
 */
export function jsonHeaders(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'gapwarden',
  };
  for (const [name, value] of Object.entries(extra)) out[name.toLowerCase()] = value;
  return out;
}

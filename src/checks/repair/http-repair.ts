import type { CompiledHttpCall } from '../../config/compile-check-repairs.js';
import { GapwardenError } from '../../internal/errors.js';
import type { RepairChange } from './repair-journal.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;
const RESPONSE_LIMIT = 4096;

function lookup(vars: Readonly<Record<string, unknown>>, name: string): unknown {
  let v: unknown = vars;
  for (const part of name.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, part)) {
      throw new GapwardenError(
        'REQUEST_INVALID',
        `the repair call uses {{${name}}}, which this finding does not have`,
      );
    }
    v = (v as Record<string, unknown>)[part];
  }
  return v instanceof Date ? v.toISOString() : v;
}

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Replaces placeholders in a string; `encode` URL-encodes each value. */
function fill(template: string, vars: Readonly<Record<string, unknown>>, encode: boolean): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const v = text(lookup(vars, name));
    return encode ? encodeURIComponent(v) : v;
  });
}

/** A JSON body template: a string that is exactly one placeholder takes the value itself (a number stays a number). */
function fillBody(body: unknown, vars: Readonly<Record<string, unknown>>): unknown {
  if (typeof body === 'string') {
    const whole = /^\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}$/.exec(body);
    return whole ? lookup(vars, whole[1]!) : fill(body, vars, false);
  }
  if (Array.isArray(body)) return body.map((b) => fillBody(b, vars));
  if (body !== null && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fillBody(v, vars)]));
  }
  return body;
}

/** The request a call makes for one finding: what a dry run shows and a real run sends. */
export function renderHttpCall(call: CompiledHttpCall, vars: Readonly<Record<string, unknown>>) {
  const request: { method: string; url: string; body?: unknown } = {
    method: call.method,
    url: fill(call.url, vars, true),
  };
  if (call.body !== undefined) request.body = fillBody(call.body, vars);
  return request;
}

/**
 * Makes one call. A 2xx answer is success; anything else (or no answer
 * within the timeout) throws with the status and the start of the body.
 * Header values are not recorded (they may carry tokens).
 */
export async function sendHttpCall(
  call: CompiledHttpCall,
  vars: Readonly<Record<string, unknown>>,
  timeoutMs: number,
): Promise<Omit<Extract<RepairChange, { kind: 'http' }>, 'finding'>> {
  const request = renderHttpCall(call, vars);
  let res: Response;
  try {
    res = await fetch(request.url, {
      method: request.method,
      headers: {
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...call.headers,
      },
      body: request.body === undefined ? null : JSON.stringify(request.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new GapwardenError(
      'CHECK_FAILED',
      `${request.method} ${request.url} failed: ${(err as Error).message}`,
      {
        cause: err,
        retryable: true,
      },
    );
  }
  const raw = (await res.text()).slice(0, RESPONSE_LIMIT);
  let response: unknown = raw;
  try {
    response = raw ? JSON.parse(raw) : null;
  } catch {}
  if (!res.ok) {
    throw new GapwardenError(
      'CHECK_FAILED',
      `${request.method} ${request.url} answered ${res.status}: ${raw.slice(0, 200)}`,
      {
        details: { status: res.status },
      },
    );
  }
  return { kind: 'http', request, status: res.status, response };
}

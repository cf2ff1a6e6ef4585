import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature: `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'x-gapwarden-signature';
/** The header carrying the Unix time (seconds) the request was signed at. */
export const TIMESTAMP_HEADER = 'x-gapwarden-timestamp';

/**
 * The signature of a webhook request: `sha256=` and the lower-case hex
 * HMAC-SHA256, keyed with the receiver's secret, of the timestamp header's
 * value, a `.`, and the raw body bytes. The timestamp is signed with the body,
 * so a captured request cannot be replayed later with a fresh timestamp.
 *
 * @example
 * signWebhook('whsec', '1714528800', '{"kind":"firing"}'); // 'sha256=…'
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface VerifyWebhookInput {
  secret: string;
  /** The `X-Gapwarden-Timestamp` header. */
  timestamp: string | null | undefined;
  /** The `X-Gapwarden-Signature` header. */
  signature: string | null | undefined;
  /** The raw body, exactly as received. */
  body: string;
  /** The receiver's time (ms). */
  nowMs: number;
  /** How far the timestamp may be from now, either way. @default 300000 (5 minutes) */
  toleranceMs?: number;
}

/**
 * Whether a webhook request came from gapwarden with this secret and is
 * recent: the signature matches (compared in constant time) and the
 * timestamp is within the tolerance of now. What a receiver runs before it
 * trusts a request; gapwarden's own tests and demo receiver use it too.
 */
export function verifyWebhookSignature(input: VerifyWebhookInput): boolean {
  const { timestamp, signature } = input;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const tolerance = input.toleranceMs ?? 300_000;
  if (Math.abs(input.nowMs - Number(timestamp) * 1000) > tolerance) return false;
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

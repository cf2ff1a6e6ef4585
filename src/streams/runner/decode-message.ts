/** A message body parsed for the pipeline, or why it cannot be (it goes to the dead-letter topic). */
export type DecodedMessage =
  | { ok: true; payload: Record<string, unknown>; time: number }
  | { ok: false; reason: 'bad-json' | 'not-an-object' | 'invalid-time'; message: string };

const decoder = new TextDecoder();

/**
 * Parses a body as a JSON object and reads its time from `timeField` (ms
 * since the epoch, or ISO text). A global topic's message without a time
 * takes `now` (reference data such as prices often carries none); a keyed
 * topic's message needs one, since windows are over message time.
 */
export function decodeMessage(
  body: Uint8Array,
  timeField: string,
  global: boolean,
  now: number,
): DecodedMessage {
  let value: unknown;
  const text = decoder.decode(body);
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: 'bad-json', message: `the body is not JSON (${(err as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      reason: 'not-an-object',
      message: `the body is JSON but not an object (found ${Array.isArray(value) ? 'an array' : JSON.stringify(value)})`,
    };
  }
  const payload = value as Record<string, unknown>;
  const raw = payload[timeField];
  const time = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (Number.isFinite(time)) return { ok: true, payload, time };
  if (global && raw === undefined) return { ok: true, payload, time: now };
  return {
    ok: false,
    reason: 'invalid-time',
    message: `field "${timeField}" must hold the message time (ms since the epoch or ISO text), found ${JSON.stringify(raw) ?? 'nothing'}`,
  };
}

import type { DeliveryOutcome } from '../notifier.js';
import { type HttpAnswer, parseAnswer, quote } from './http-delivery.js';

/** How a chat robot (DingTalk, WeCom, Feishu) says, inside an HTTP 200, whether it took a message. */
export interface RobotAnswerSpec {
  vendor: string;
  /** The answer's status code (0 = taken) and its message. */
  code(body: Record<string, unknown>): unknown;
  message(body: Record<string, unknown>): unknown;
  /** Codes that mean "later" (rate limits, busy), with how long to wait. */
  retryAfterMs: Readonly<Record<number, number>>;
}

/**
 * Reads a robot's answer: code 0 is delivered; a rate-limit or busy code is
 * retryable after the vendor's window; any other code is a refusal that
 * sending again will not change (a bad token, a failed signature or keyword
 * check, content too long). An answer that is not the vendor's JSON is
 * retried: something in between answered, and the message may not have
 * arrived.
 */
export function interpretRobotAnswer(
  answer: HttpAnswer,
  what: string,
  spec: RobotAnswerSpec,
): DeliveryOutcome {
  const body = parseAnswer(answer.text);
  const code = body === undefined ? undefined : spec.code(body);
  if (code === 0) return { ok: true, status: answer.status };
  if (body === undefined || typeof code !== 'number') {
    return {
      ok: false,
      retryable: true,
      status: answer.status,
      error: `${what}: not a ${spec.vendor} answer: ${quote(answer.text) || '(empty)'}`,
    };
  }
  const wait = spec.retryAfterMs[code];
  const said = quote(String(spec.message(body) ?? ''));
  return {
    ok: false,
    retryable: wait !== undefined,
    status: answer.status,
    error: `${what}: ${spec.vendor} refused it: code ${code}${said ? ` ${said}` : ''}`,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
  };
}

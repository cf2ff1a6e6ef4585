import { createHmac } from 'node:crypto';
import type { CompiledDingtalkReceiver } from '../../config/compiled-receiver.js';
import type { Notifier } from '../notifier.js';
import { type AlertMessage, composeMessage } from '../templates/alert-message.js';
import { toMarkdown } from '../templates/message-formats.js';
import { httpContext, jsonHeaders, postOnce } from './http-delivery.js';
import { languageOf, type NotifierDeps } from './notifier-deps.js';
import { interpretRobotAnswer, type RobotAnswerSpec } from './robot-answer.js';

/**
 * DingTalk's robot signature (加签): `sign` = Base64(HMAC-SHA256(key = secret,
 * message = timestamp + "\n" + secret)), URL-encoded, sent with `timestamp`
 * (ms) as query parameters; DingTalk refuses a timestamp more than an hour
 * off. https://open.dingtalk.com/document/robots/customize-robot-security-settings
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The robot's `markdown` message (https://open.dingtalk.com/document/robots/custom-robot-access). */
export function dingtalkPayload(m: AlertMessage, receiver: CompiledDingtalkReceiver): unknown {
  // DingTalk highlights a mention only when the text names the number too.
  const mentions = receiver.atMobiles.map((mobile) => `@${mobile}`).join(' ');
  return {
    msgtype: 'markdown',
    markdown: { title: m.title, text: mentions ? `${toMarkdown(m)}\n\n${mentions}` : toMarkdown(m) },
    at: { atMobiles: [...receiver.atMobiles], isAtAll: receiver.atAll },
  };
}

/**
 * DingTalk answers HTTP 200 with `{"errcode":0,"errmsg":"ok"}`, or a non-zero
 * `errcode` when it refused the message (310000: keyword, signature or IP
 * check failed; 300001: bad token). Retried: -1 (busy) and 130101 (more than
 * 20 messages a minute).
 */
export const DINGTALK_ANSWER: RobotAnswerSpec = {
  vendor: 'DingTalk',
  code: (b) => b.errcode,
  message: (b) => b.errmsg,
  retryAfterMs: { [-1]: 10_000, 130101: 60_000 },
};

/** A DingTalk group robot, signed when the receiver has a secret. */
export function createDingtalkNotifier(receiver: CompiledDingtalkReceiver, deps: NotifierDeps): Notifier {
  const ctx = httpContext(receiver, deps);
  const what = `dingtalk receiver "${receiver.name}"`;
  return {
    receiver: receiver.name,
    channel: 'dingtalk',
    send(n, signal) {
      const message = composeMessage(n, {
        language: languageOf(receiver, n.language),
        timezone: receiver.timezone,
      });
      const url = new URL(receiver.url);
      if (receiver.secret) {
        const timestamp = deps.clock.now();
        url.searchParams.set('timestamp', String(timestamp));
        url.searchParams.set('sign', dingtalkSign(receiver.secret, timestamp));
      }
      const body = JSON.stringify(dingtalkPayload(message, receiver));
      return postOnce({ url: url.href, headers: jsonHeaders(), body }, ctx, signal, (answer) =>
        interpretRobotAnswer(answer, what, DINGTALK_ANSWER),
      );
    },
  };
}

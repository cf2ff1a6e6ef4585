import type { CompiledWecomReceiver } from '../../config/compiled-receiver.js';
import type { Notifier } from '../notifier.js';
import { type AlertMessage, composeMessage } from '../templates/alert-message.js';
import { toMarkdown, truncateUtf8 } from '../templates/message-formats.js';
import { httpContext, jsonHeaders, postOnce } from './http-delivery.js';
import { languageOf, type NotifierDeps } from './notifier-deps.js';
import { interpretRobotAnswer, type RobotAnswerSpec } from './robot-answer.js';

/** WeCom refuses Markdown content over 4096 bytes of UTF-8 (errcode 40058). */
export const WECOM_MARKDOWN_BYTES = 4096;

/**
 * The group robot's `markdown` message
 * (https://developer.work.weixin.qq.com/document/path/91770), cut to WeCom's
 * limit on a character boundary.
 */
export function wecomPayload(m: AlertMessage): unknown {
  return { msgtype: 'markdown', markdown: { content: truncateUtf8(toMarkdown(m), WECOM_MARKDOWN_BYTES) } };
}

/**
 * WeCom answers HTTP 200 with `{"errcode":0,"errmsg":"ok"}`, or a non-zero
 * `errcode` when it refused the message (93000: invalid webhook URL; 40058:
 * content too long). Retried: -1 (busy) and 45009 (more than 20 messages a
 * minute).
 */
export const WECOM_ANSWER: RobotAnswerSpec = {
  vendor: 'WeCom',
  code: (b) => b.errcode,
  message: (b) => b.errmsg,
  retryAfterMs: { [-1]: 10_000, 45009: 60_000 },
};

/** A WeCom (企业微信) group robot. Its webhook URL's `key` is the credential; WeCom has no signature. */
export function createWecomNotifier(receiver: CompiledWecomReceiver, deps: NotifierDeps): Notifier {
  const ctx = httpContext(receiver, deps);
  const what = `wecom receiver "${receiver.name}"`;
  return {
    receiver: receiver.name,
    channel: 'wecom',
    send(n, signal) {
      const message = composeMessage(n, {
        language: languageOf(receiver, n.language),
        timezone: receiver.timezone,
      });
      const body = JSON.stringify(wecomPayload(message));
      return postOnce({ url: receiver.url, headers: jsonHeaders(), body }, ctx, signal, (answer) =>
        interpretRobotAnswer(answer, what, WECOM_ANSWER),
      );
    },
  };
}

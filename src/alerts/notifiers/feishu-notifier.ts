import { createHmac } from 'node:crypto';
import type { CompiledFeishuReceiver } from '../../config/compiled-receiver.js';
import type { Notifier } from '../notifier.js';
import { type AlertMessage, composeMessage, type MessageTone } from '../templates/alert-message.js';
import { httpContext, jsonHeaders, postOnce } from './http-delivery.js';
import { languageOf, type NotifierDeps } from './notifier-deps.js';
import { interpretRobotAnswer, type RobotAnswerSpec } from './robot-answer.js';

/**
 * Feishu's custom bot signature (签名校验): `sign` = Base64(HMAC-SHA256 keyed
 * with timestamp + "\n" + secret, over an empty message), sent in the body
 * with `timestamp` (seconds); Feishu refuses one more than an hour off.
 * https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
 */
export function feishuSign(secret: string, timestampSec: number): string {
  return createHmac('sha256', `${timestampSec}\n${secret}`).update('').digest('base64');
}

const TEMPLATES: Readonly<Record<MessageTone, string>> = {
  critical: 'red',
  warning: 'orange',
  info: 'blue',
  resolved: 'green',
};

/**
 * An interactive card: the title in a coloured header, then the intro, each
 * alert and its facts, and buttons to the alert and the dashboard. Outside
 * text goes in `plain_text` elements only, so nothing in a summary or a label
 * is read as card Markdown.
 */
export function feishuCard(m: AlertMessage): unknown {
  const plain = (content: string) => ({ tag: 'div', text: { tag: 'plain_text', content } });
  const button = (link: { label: string; url: string }, type: string) => ({
    tag: 'button',
    text: { tag: 'plain_text', content: link.label },
    url: link.url,
    type,
  });
  const elements: unknown[] = [plain(m.intro)];
  for (const a of m.alerts) {
    elements.push({ tag: 'hr' }, plain(a.heading), {
      tag: 'div',
      fields: a.facts.map((f) => ({
        is_short: false,
        text: { tag: 'plain_text', content: `${f.label}${a.colon}${f.value}` },
      })),
    });
    if (a.link) elements.push({ tag: 'action', actions: [button(a.link, 'default')] });
  }
  if (m.more) elements.push(plain(m.more));
  if (m.link) elements.push({ tag: 'action', actions: [button(m.link, 'primary')] });
  elements.push({ tag: 'note', elements: [{ tag: 'plain_text', content: m.footer }] });
  return {
    config: { wide_screen_mode: true },
    header: { title: { tag: 'plain_text', content: m.title }, template: TEMPLATES[m.tone] },
    elements,
  };
}

/**
 * Feishu answers `{"code":0,"msg":"success"}` (older bots:
 * `{"StatusCode":0}`), or a non-zero code when it refused the message
 * (19021: signature or timestamp check failed; 19024: keyword missing;
 * 9499: bad request). Retried: 11232 (rate limited).
 */
export const FEISHU_ANSWER: RobotAnswerSpec = {
  vendor: 'Feishu',
  code: (b) => b.code ?? b.StatusCode,
  message: (b) => b.msg ?? b.StatusMessage,
  retryAfterMs: { 11232: 60_000 },
};

/** A Feishu (飞书) custom bot, signed when the receiver has a secret. */
export function createFeishuNotifier(receiver: CompiledFeishuReceiver, deps: NotifierDeps): Notifier {
  const ctx = httpContext(receiver, deps);
  const what = `feishu receiver "${receiver.name}"`;
  return {
    receiver: receiver.name,
    channel: 'feishu',
    send(n, signal) {
      const message = composeMessage(n, {
        language: languageOf(receiver, n.language),
        timezone: receiver.timezone,
      });
      const payload: Record<string, unknown> = { msg_type: 'interactive', card: feishuCard(message) };
      if (receiver.secret) {
        const timestamp = Math.floor(deps.clock.now() / 1000);
        payload.timestamp = String(timestamp);
        payload.sign = feishuSign(receiver.secret, timestamp);
      }
      return postOnce(
        { url: receiver.url, headers: jsonHeaders(), body: JSON.stringify(payload) },
        ctx,
        signal,
        (answer) => interpretRobotAnswer(answer, what, FEISHU_ANSWER),
      );
    },
  };
}

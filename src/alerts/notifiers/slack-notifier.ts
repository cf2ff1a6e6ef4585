import type { CompiledSlackReceiver } from '../../config/compiled-receiver.js';
import type { Notifier } from '../notifier.js';
import { type AlertMessage, composeMessage } from '../templates/alert-message.js';
import { alertSlackMrkdwn, slack, slackLink } from '../templates/message-formats.js';
import { httpContext, jsonHeaders, postOnce } from './http-delivery.js';
import { languageOf, type NotifierDeps } from './notifier-deps.js';

// Block Kit limits (https://api.slack.com/reference/block-kit/blocks): a header's text at most
// 150 characters, a section's text at most 3000, a message at most 50 blocks (10 alerts stay far below).
const HEADER_MAX = 150;
const SECTION_MAX = 3000;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The Slack message for a composed alert message: `text` (the notification
 * and fallback line) and `blocks` (a header, the intro, a section per alert,
 * the dashboard link, the footer), as incoming webhooks take them
 * (https://api.slack.com/messaging/webhooks).
 */
export function slackPayload(m: AlertMessage): { text: string; blocks: unknown[] } {
  const section = (text: string) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: cut(text, SECTION_MAX) },
  });
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(m.title, HEADER_MAX), emoji: true } },
    section(slack(m.intro)),
    ...m.alerts.flatMap((a) => [{ type: 'divider' }, section(alertSlackMrkdwn(a))]),
  ];
  if (m.more) blocks.push(section(slack(m.more)));
  if (m.link) blocks.push(section(slackLink(m.link.url, m.link.label)));
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: slack(m.footer) }] });
  return { text: slack(`${m.title} — ${m.intro}`), blocks };
}

/**
 * A Slack incoming webhook. Slack answers 200 `ok`, or 4xx with a reason
 * (`invalid_payload`, `no_service`, ...), or 429 with `Retry-After`.
 */
export function createSlackNotifier(receiver: CompiledSlackReceiver, deps: NotifierDeps): Notifier {
  const ctx = httpContext(receiver, deps);
  return {
    receiver: receiver.name,
    channel: 'slack',
    send(n, signal) {
      const message = composeMessage(n, {
        language: languageOf(receiver, n.language),
        timezone: receiver.timezone,
      });
      const body = JSON.stringify(slackPayload(message));
      return postOnce({ url: receiver.url, headers: jsonHeaders(), body }, ctx, signal);
    },
  };
}

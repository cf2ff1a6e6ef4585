import type { CompiledWebhookReceiver } from '../../config/compiled-receiver.js';
import type { AlertNotification, Notifier } from '../notifier.js';
import { type AlertMessage, composeMessage } from '../templates/alert-message.js';
import { toPlainText } from '../templates/message-formats.js';
import { httpContext, jsonHeaders, postOnce } from './http-delivery.js';
import { languageOf, type NotifierDeps } from './notifier-deps.js';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook-signature.js';

/** The JSON body a webhook receiver gets (`version` changes only with an incompatible shape). */
export interface WebhookPayload {
  version: 1;
  kind: AlertNotification['kind'];
  idempotencyKey: string;
  receiver: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  tier: number;
  language: AlertNotification['language'];
  group: AlertNotification['group'];
  dashboardUrl: string | null;
  /** The message, rendered: its title and the whole of it as plain text. */
  title: string;
  text: string;
  alerts: Array<
    Omit<AlertNotification['alerts'][number], 'startsAt' | 'endsAt'> & {
      startsAt: string;
      endsAt: string | null;
    }
  >;
}

/** The body of a webhook request for `n`, its message already composed. */
export function webhookPayload(n: AlertNotification, message: AlertMessage): WebhookPayload {
  return {
    version: 1,
    kind: n.kind,
    idempotencyKey: n.idempotencyKey,
    receiver: n.receiver,
    createdAt: new Date(n.createdAt).toISOString(),
    tier: n.tier,
    language: message.language,
    group: n.group,
    dashboardUrl: n.dashboardUrl,
    title: message.title,
    text: toPlainText(message),
    alerts: n.alerts.map((a) => ({
      ...a,
      startsAt: new Date(a.startsAt).toISOString(),
      endsAt: a.endsAt === null ? null : new Date(a.endsAt).toISOString(),
    })),
  };
}

/**
 * The generic webhook: POSTs the notification as JSON. With a secret, each
 * request is signed (`X-Gapwarden-Timestamp`, `X-Gapwarden-Signature`, see
 * `webhook-signature.ts`); every request carries `Idempotency-Key`, the same
 * on every retry, so a receiver can drop duplicates.
 */
export function createWebhookNotifier(receiver: CompiledWebhookReceiver, deps: NotifierDeps): Notifier {
  const ctx = httpContext(receiver, deps);
  return {
    receiver: receiver.name,
    channel: 'webhook',
    async send(n, signal) {
      const message = composeMessage(n, {
        language: languageOf(receiver, n.language),
        timezone: receiver.timezone,
      });
      const body = JSON.stringify(webhookPayload(n, message));
      const headers = jsonHeaders({
        ...receiver.headers,
        'idempotency-key': n.idempotencyKey,
        'x-gapwarden-event': n.kind,
      });
      if (receiver.secret) {
        // Signed at each attempt: a retry carries a fresh timestamp, within the receiver's tolerance.
        const timestamp = String(Math.floor(deps.clock.now() / 1000));
        headers[TIMESTAMP_HEADER] = timestamp;
        headers[SIGNATURE_HEADER] = signWebhook(receiver.secret, timestamp, body);
      }
      return postOnce({ url: receiver.url, headers, body }, ctx, signal);
    },
  };
}

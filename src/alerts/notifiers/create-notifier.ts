import type { CompiledReceiver } from '../../config/compiled-receiver.js';
import type { Notifier } from '../notifier.js';
import { createAlertmanagerNotifier } from './alertmanager-notifier.js';
import { createDingtalkNotifier } from './dingtalk-notifier.js';
import { createEmailNotifier } from './email-notifier.js';
import { createFeishuNotifier } from './feishu-notifier.js';
import { createLogNotifier } from './log-notifier.js';
import type { NotifierDeps } from './notifier-deps.js';
import { createSlackNotifier } from './slack-notifier.js';
import { createWebhookNotifier } from './webhook-notifier.js';
import { createWecomNotifier } from './wecom-notifier.js';

export type { NotifierDeps } from './notifier-deps.js';

/**
 * The notifier for one configured receiver, by its channel. Creating one
 * opens nothing: an SMTP pool connects on the first mail; `close()` releases it.
 *
 * @example
 * const notifiers = config.alerts.receivers.map((r) => createNotifier(r, { clock, logger }));
 * const outcome = await notifiers[0].send(notification, AbortSignal.timeout(30_000));
 */
export function createNotifier(receiver: CompiledReceiver, deps: NotifierDeps): Notifier {
  switch (receiver.channel) {
    case 'webhook':
      return createWebhookNotifier(receiver, deps);
    case 'slack':
      return createSlackNotifier(receiver, deps);
    case 'dingtalk':
      return createDingtalkNotifier(receiver, deps);
    case 'wecom':
      return createWecomNotifier(receiver, deps);
    case 'feishu':
      return createFeishuNotifier(receiver, deps);
    case 'email':
      return createEmailNotifier(receiver, deps);
    case 'alertmanager':
      return createAlertmanagerNotifier(receiver, deps);
    case 'log':
      return createLogNotifier(receiver, deps);
  }
}

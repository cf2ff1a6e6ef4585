import type { CompiledLogReceiver } from '../../config/compiled-receiver.js';
import type { Notifier } from '../notifier.js';
import { composeMessage, worstSeverity } from '../templates/alert-message.js';
import { languageOf, type NotifierDeps } from './notifier-deps.js';

/**
 * The log: one structured line per notification (`msg: 'alert notification'`)
 * on gapwarden's own logger, at `error` for P0, `warn` for P1 and P2, `info`
 * for resolved and test notifications. Always delivered.
 */
export function createLogNotifier(receiver: CompiledLogReceiver, deps: NotifierDeps): Notifier {
  return {
    receiver: receiver.name,
    channel: 'log',
    async send(n) {
      const message = composeMessage(n, {
        language: languageOf(receiver, n.language),
        timezone: receiver.timezone,
      });
      const severity = worstSeverity(n.alerts);
      const level =
        n.kind === 'resolved' || n.kind === 'test' ? 'info' : severity === 'P0' ? 'error' : 'warn';
      deps.logger[level]({
        msg: 'alert notification',
        receiver: receiver.name,
        kind: n.kind,
        severity,
        title: message.title,
        tier: n.tier,
        idempotencyKey: n.idempotencyKey,
        dashboardUrl: n.dashboardUrl,
        alerts: n.alerts.map((a) => ({
          id: a.id,
          rule: a.rule,
          severity: a.severity,
          state: a.state,
          summary: a.summary,
          labels: a.labels,
          value: a.value,
          tried: a.tried,
          startsAt: new Date(a.startsAt).toISOString(),
          endsAt: a.endsAt === null ? null : new Date(a.endsAt).toISOString(),
          url: a.url,
        })),
      });
      return { ok: true, detail: `logged at ${level}` };
    },
  };
}

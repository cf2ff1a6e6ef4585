import type { GapwardenModule } from '../core/module.js';
import { registerAlertMetrics } from './alert-metrics.js';
import { alertRoutes } from './alert-routes.js';
import { registerAlertsCli } from './alerts-cli.js';
import { type Alerts, type AlertsOptions, createAlerts } from './alerts-runtime.js';

/**
 * The alerts module: rules over what the engine knows, alerts with a
 * fingerprint and a history, grouping, repeats, escalation, inhibition and
 * silences, and notifications delivered from a durable outbox through the
 * channels in `notifiers/`. `createAlertsModule` takes a notifier factory of
 * its own (tests, embedding); `alertsModule` uses the channels.
 */
export function createAlertsModule(options: AlertsOptions = {}): GapwardenModule<Alerts> {
  return {
    name: 'alerts',
    create: (ctx) => createAlerts(ctx, options),
    start: (alerts, startOptions) => alerts.start(startOptions),
    stop: (alerts) => alerts.stop(),
    // The loop of `serve` evaluates on events and on the clock; this kind lets a schedule (or
    // `gapwarden jobs run`) evaluate too, e.g. where no process runs the loop.
    jobKinds: (_ctx, alerts) => [
      {
        kind: 'alerts-evaluate',
        async run(_job, runCtx) {
          runCtx.signal.throwIfAborted();
          const result = await alerts.evaluate();
          await alerts.worker.drainOnce();
          return { records: result.opened + result.changed };
        },
      },
    ],
    routes: (_ctx, alerts) => alertRoutes(alerts),
    metrics: (registry, ctx, alerts) => registerAlertMetrics(registry, ctx.events, alerts),
    cli: registerAlertsCli,
    dashboard: { path: '/alerts', title: 'Alerts' },
  };
}

export const alertsModule: GapwardenModule<Alerts> = createAlertsModule();

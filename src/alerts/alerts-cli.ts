import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { CliConfigFlags, CliKit } from '../core/module.js';
import { parseDuration } from '../domain/duration.js';
import { GapwardenError } from '../internal/errors.js';
import {
  formatAlertDetail,
  formatAlerts,
  formatDeliveries,
  formatHistory,
  formatSilences,
} from './alert-format.js';
import type { AlertStateFilter } from './alert-operations.js';
import { silenceEnd } from './alert-routes.js';
import type { Alerts } from './alerts-runtime.js';

interface AlertsFlags extends CliConfigFlags {
  state?: string;
  severity?: string;
  match?: string[];
  limit?: string;
  alert?: string;
  since?: string;
  by?: string;
  comment?: string;
  for?: string;
  until?: string;
  all?: boolean;
}

const STATES = ['open', 'all', 'pending', 'firing', 'acknowledged', 'resolved'];

/** Who acts, unless told: the user running the CLI. */
function whoAmI(): string {
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

function positiveInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new GapwardenError('CONFIG_INVALID', `${flag} expects a whole number >= 1, found "${text}"`);
  return n;
}

/**
 * `gapwarden alerts [list|show|history|ack|silence|test|deliveries]`: the
 * alerts in the store any `serve` shares. Reading verbs never create a store.
 */
export function registerAlertsCli(program: Command, kit: CliKit<Alerts>): void {
  const { withConfigOptions: withConfig, printJson } = kit;
  const withAlerts = (flags: AlertsFlags, fn: (alerts: Alerts) => Promise<number>, write = false) =>
    kit.runVerb(flags, async () => {
      const session = await kit.open(flags, {
        logLevel: 'warn',
        ...(write ? {} : { createStore: 'never' as const }),
      });
      try {
        return await fn(session.instance);
      } finally {
        await session.close();
      }
    });
  const out = (flags: AlertsFlags, json: unknown, text: string) => {
    if (flags.json) printJson(json);
    else process.stdout.write(`${text}\n`);
  };

  const alerts = program
    .command('alerts')
    .description('alerts: firing now, history, acknowledge, silences, test a receiver');

  withConfig(
    alerts
      .command('list', { isDefault: true })
      .description('alerts firing or acknowledged (--state for others)'),
  )
    .option('-s, --state <state>', `${STATES.join(', ')}`, 'open')
    .option('--severity <list>', 'e.g. P0 or P0,P1')
    .option('-m, --match <matcher...>', 'label matchers, e.g. dataset=draws (repeatable)')
    .option('-n, --limit <n>', 'how many', '100')
    .action((flags: AlertsFlags) =>
      withAlerts(flags, async (a) => {
        const state = flags.state ?? 'open';
        if (!STATES.includes(state))
          throw new GapwardenError(
            'CONFIG_INVALID',
            `--state expects one of ${STATES.join(', ')}, found "${state}"`,
          );
        const severity = (flags.severity ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const bad = severity.find((s) => !['P0', 'P1', 'P2'].includes(s));
        if (bad)
          throw new GapwardenError('CONFIG_INVALID', `--severity expects P0, P1 or P2, found "${bad}"`);
        let list: Awaited<ReturnType<Alerts['list']>>;
        try {
          list = await a.list({
            state: state as AlertStateFilter,
            severity: severity as ('P0' | 'P1' | 'P2')[],
            match: flags.match ?? [],
            limit: positiveInt(flags.limit, '--limit', 100),
          });
        } catch (err) {
          if (err instanceof GapwardenError && err.code === 'REQUEST_INVALID')
            throw new GapwardenError('CONFIG_INVALID', `--match: ${err.message}`);
          throw err;
        }
        out(flags, { alerts: list }, formatAlerts(list, state === 'all' ? '' : state));
        return 0;
      }),
    );

  withConfig(alerts.command('show <id>').description('one alert: its history and its delivery log')).action(
    (id: string, flags: AlertsFlags) =>
      withAlerts(flags, async (a) => {
        const detail = await a.get(positiveInt(id, 'the alert id', 0));
        out(flags, detail, formatAlertDetail(detail));
        return 0;
      }),
  );

  withConfig(alerts.command('history').description('every alert change, newest first'))
    .option('--alert <id>', 'only this alert')
    .option('--since <duration>', 'only the last ..., e.g. 1h or 7d')
    .option('-n, --limit <n>', 'how many', '100')
    .action((flags: AlertsFlags) =>
      withAlerts(flags, async (a) => {
        const since = flags.since === undefined ? undefined : parseDuration(flags.since);
        if (flags.since !== undefined && since === undefined)
          throw new GapwardenError(
            'CONFIG_INVALID',
            `--since expects a duration such as 1h or 7d, found "${flags.since}"`,
          );
        const history = await a.history({
          limit: positiveInt(flags.limit, '--limit', 100),
          ...(flags.alert === undefined ? {} : { alertId: positiveInt(flags.alert, '--alert', 0) }),
          ...(since === undefined ? {} : { since: a.now() - since }),
        });
        out(flags, { history }, formatHistory(history));
        return 0;
      }),
    );

  withConfig(
    alerts.command('ack <id>').description('acknowledge a firing alert: no more escalation or repeats'),
  )
    .option('--by <name>', 'who acknowledges (default: your user name)')
    .option('--comment <text>', 'why, or what is being done')
    .action((id: string, flags: AlertsFlags) =>
      withAlerts(
        flags,
        async (a) => {
          const alert = await a.acknowledge(positiveInt(id, 'the alert id', 0), {
            actor: flags.by ?? whoAmI(),
            comment: flags.comment ?? null,
          });
          out(flags, { alert }, formatAlerts([alert], ''));
          return 0;
        },
        true,
      ),
    );

  const silence = alerts
    .command('silence')
    .description('silences: hold back notifications of matching alerts');
  withConfig(silence.command('add').description('silence the alerts matching every --match'))
    .requiredOption('-m, --match <matcher...>', 'label matchers, e.g. dataset=draws rule=~gap-.*')
    .option('--for <duration>', 'how long, e.g. 2h')
    .option('--until <time>', 'or until this ISO 8601 time')
    .option('--by <name>', 'who sets it (default: your user name)')
    .option('--comment <text>', 'why', '')
    .action((flags: AlertsFlags) =>
      withAlerts(
        flags,
        async (a) => {
          const until = flags.until === undefined ? undefined : Date.parse(flags.until);
          if (flags.until !== undefined && Number.isNaN(until))
            throw new GapwardenError(
              'CONFIG_INVALID',
              `--until expects an ISO 8601 time, found "${flags.until}"`,
            );
          let created: Awaited<ReturnType<Alerts['createSilence']>>;
          try {
            created = await a.createSilence({
              matchers: flags.match ?? [],
              endsAt: silenceEnd(
                a.now(),
                until === undefined ? undefined : new Date(until).toISOString(),
                flags.for,
              ),
              author: flags.by ?? whoAmI(),
              comment: flags.comment ?? '',
            });
          } catch (err) {
            if (err instanceof GapwardenError && err.code === 'REQUEST_INVALID')
              throw new GapwardenError(
                'CONFIG_INVALID',
                err.message.replace('endsAt', '--until').replace('a duration', '--for'),
              );
            throw err;
          }
          out(flags, { silence: created }, formatSilences([created]));
          return 0;
        },
        true,
      ),
    );
  withConfig(silence.command('list', { isDefault: true }).description('silences active or to come'))
    .option('--all', 'ended ones too')
    .action((flags: AlertsFlags) =>
      withAlerts(flags, async (a) => {
        const list = await a.silences({ includeEnded: flags.all === true });
        out(flags, { silences: list }, formatSilences(list));
        return 0;
      }),
    );
  withConfig(silence.command('expire <id>').description('end a silence now')).action(
    (id: string, flags: AlertsFlags) =>
      withAlerts(
        flags,
        async (a) => {
          const s = await a.expireSilence(positiveInt(id, 'the silence id', 0));
          out(flags, { silence: s }, formatSilences([s]));
          return 0;
        },
        true,
      ),
  );

  withConfig(
    alerts.command('test <receiver>').description('send a test message to a receiver and show the attempt'),
  ).action((receiver: string, flags: AlertsFlags) =>
    withAlerts(
      flags,
      async (a) => {
        const delivery = await a.test(receiver);
        out(flags, { delivery }, formatDeliveries([delivery]));
        return delivery.state === 'delivered' ? 0 : 1;
      },
      true,
    ),
  );

  withConfig(alerts.command('deliveries').description('notifications of the outbox, newest first'))
    .option('-s, --state <state>', 'pending, sending, delivered or failed')
    .option('-n, --limit <n>', 'how many', '50')
    .action((flags: AlertsFlags) =>
      withAlerts(flags, async (a) => {
        const state = flags.state as 'pending' | 'sending' | 'delivered' | 'failed' | undefined;
        if (state !== undefined && !['pending', 'sending', 'delivered', 'failed'].includes(state))
          throw new GapwardenError(
            'CONFIG_INVALID',
            `--state expects pending, sending, delivered or failed, found "${state}"`,
          );
        const list = await a.deliveries({
          limit: positiveInt(flags.limit, '--limit', 50),
          ...(state ? { state } : {}),
        });
        out(flags, { deliveries: list, outbox: await a.outboxDepth() }, formatDeliveries(list));
        return 0;
      }),
    );
}

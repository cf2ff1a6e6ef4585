import type { Command } from 'commander';
import type { CheckProfile } from '../config/checks-schema.js';
import type { CliConfigFlags, CliKit } from '../core/module.js';
import { GapwardenError } from '../internal/errors.js';
import { formatCheckRun, formatChecks, formatTrend } from './check-format.js';
import { parseInstant } from './check-routes.js';
import { summarizeCheck, summarizeCheckRun } from './check-summary.js';
import type { Checks } from './checks-runtime.js';

interface RunFlags extends CliConfigFlags {
  from?: string;
  to?: string;
  profile?: string;
}

/** Exit code of `check run` when the run is not healthy (degraded, unhealthy or error). */
export const EXIT_CHECK_NOT_HEALTHY = 1;

const PROFILES = ['quick', 'full', 'deep'];

/**
 * `gapwarden checks [list|trend]` and `gapwarden check run <name>`. The core's
 * `gapwarden check` (dataset status) stays as it is: `run` is a subcommand of it.
 */
export function registerChecksCli(program: Command, kit: CliKit<Checks>): void {
  const { withConfigOptions: withConfig, printJson } = kit;
  const withChecks = (flags: CliConfigFlags, fn: (checks: Checks) => Promise<number>, createStore = false) =>
    kit.runVerb(flags, async () => {
      const session = await kit.open(flags, {
        logLevel: 'warn',
        ...(createStore ? {} : { createStore: 'never' as const }),
      });
      try {
        return await fn(session.instance);
      } finally {
        await session.instance.stop();
        await session.close();
      }
    });
  const out = (flags: CliConfigFlags, json: unknown, text: string) => {
    if (flags.json) printJson(json);
    else process.stdout.write(`${text}\n`);
  };

  const checks = program
    .command('checks')
    .description('checks on the team databases: list, last runs, trends');
  withConfig(checks.command('list', { isDefault: true }).description('every check with its last run')).action(
    (flags: CliConfigFlags) =>
      withChecks(flags, async (c) => {
        const last = new Map((await c.store.lastRuns()).map((r) => [r.check, r]));
        out(
          flags,
          { checks: c.list().map((k) => summarizeCheck(k, last.get(k.name))) },
          formatChecks(c.list(), last),
        );
        return 0;
      }),
  );
  withConfig(
    checks
      .command('trend <name>')
      .description("a check's score per local day")
      .option('--days <n>', 'days back from today', '14'),
  ).action((name: string, flags: CliConfigFlags & { days: string }) =>
    withChecks(flags, async (c) => {
      const n = Number(flags.days);
      if (!Number.isInteger(n) || n < 1 || n > 366)
        throw new GapwardenError(
          'CONFIG_INVALID',
          `--days expects a whole number 1-366, found "${flags.days}"`,
        );
      const days = await c.trend(name, n);
      out(flags, { check: name, days }, formatTrend(name, days));
      return 0;
    }),
  );

  // `check` is the core's verb (dataset status, registered before the modules); `run` is ours.
  const check =
    program.commands.find((cmd) => cmd.name() === 'check') ??
    program.command('check').description('checks: run one now');
  withConfig(
    check
      .command('run <name>')
      .description(
        `runs a check now and keeps the run; exits ${EXIT_CHECK_NOT_HEALTHY} unless it is healthy (an error run included)`,
      )
      .option('--profile <profile>', 'quick, full or deep: the window of that profile, ending now', 'full')
      .option('--from <time>', 'window start (ISO 8601); with --to, any range')
      .option('--to <time>', 'window end, excluded (ISO 8601) @default now'),
  ).action((name: string, _own: RunFlags, cmd: Command) => {
    // `-c`, `-d` and `--json` written after `run` may be taken by the core's `check` (it has them too).
    const flags = cmd.optsWithGlobals<RunFlags>();
    return withChecks(
      flags,
      async (c) => {
        if (flags.profile !== undefined && !PROFILES.includes(flags.profile)) {
          throw new GapwardenError(
            'CONFIG_INVALID',
            `--profile expects one of ${PROFILES.join(', ')}, found "${flags.profile}"`,
          );
        }
        const run = await c.run(name, {
          trigger: 'cli',
          profile: (flags.profile ?? 'full') as CheckProfile,
          ...(flags.from ? { fromMs: parseInstant(flags.from, '--from') } : {}),
          ...(flags.to ? { toMs: parseInstant(flags.to, '--to') } : {}),
        });
        out(flags, { run: summarizeCheckRun(run) }, formatCheckRun(run));
        return run.status === 'healthy' ? 0 : EXIT_CHECK_NOT_HEALTHY;
      },
      true,
    );
  });
}

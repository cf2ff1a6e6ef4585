import type { Command } from 'commander';
import { type ConfigFlags, openEngine, printJson, runVerb } from '../cli-context.js';
import { formatStatus } from '../format.js';

/** Exit code of `check` when a dataset is unhealthy. */
export const EXIT_UNHEALTHY = 1;

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(`exits ${EXIT_UNHEALTHY} when any dataset is unhealthy (for cron and CI); prints the status`)
    .option('-c, --config <file>', 'config file')
    .option('-d, --dir <dir>', 'folder holding gapwarden.config.{ts,yaml}')
    .option('--json', 'machine-readable output')
    .action((flags: ConfigFlags) =>
      runVerb(flags, async () => {
        const { engine } = await openEngine(flags, 'warn', { createStore: 'never' });
        await engine.open();
        const report = await engine.status();
        await engine.stop();
        if (flags.json) printJson(report);
        else process.stdout.write(`${formatStatus(report)}\n${report.healthy ? 'ok' : 'UNHEALTHY'}\n`);
        return report.healthy ? 0 : EXIT_UNHEALTHY;
      }),
    );
}

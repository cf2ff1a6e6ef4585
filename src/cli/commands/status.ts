import type { Command } from 'commander';
import { type ConfigFlags, openEngine, printJson, runVerb } from '../cli-context.js';
import { formatStatus } from '../format.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('datasets with status, freshness, coverage %, open gaps, backfill queue and source health')
    .option('-c, --config <file>', 'config file')
    .option('-d, --dir <dir>', 'folder holding gapwarden.config.{ts,yaml}')
    .option('--json', 'machine-readable output')
    .action((flags: ConfigFlags) =>
      runVerb(flags, async () => {
        const { engine } = await openEngine(flags, 'warn');
        await engine.open();
        const report = await engine.status();
        await engine.stop();
        if (flags.json) printJson(report);
        else process.stdout.write(`${formatStatus(report)}\n`);
        return 0;
      }),
    );
}

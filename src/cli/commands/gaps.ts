import type { Command } from 'commander';
import { type ConfigFlags, openEngine, printJson, runVerb } from '../cli-context.js';
import { formatGaps } from '../format.js';

export function registerGaps(program: Command): void {
  program
    .command('gaps <dataset>')
    .description('open gaps of a dataset as ranges, with when they were found and their age since')
    .option('-c, --config <file>', 'config file')
    .option('-d, --dir <dir>', 'folder holding gapwarden.config.{ts,yaml}')
    .option('--limit <n>', 'show at most n gaps', '1000')
    .option('--json', 'machine-readable output')
    .action((dataset: string, flags: ConfigFlags & { limit: string }) =>
      runVerb(flags, async () => {
        const { engine } = await openEngine(flags, 'warn', { createStore: 'never' });
        await engine.open();
        const gaps = await engine.gaps(dataset, { limit: Number(flags.limit) || 1000 });
        await engine.stop();
        if (flags.json) printJson({ dataset, gaps });
        else process.stdout.write(`${formatGaps(dataset, gaps)}\n`);
        return 0;
      }),
    );
}

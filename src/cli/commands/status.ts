import type { Command } from 'commander';
import { formatJobs } from '../../scheduler/job-format.js';
import { summarizeJob } from '../../scheduler/job-summary.js';
import { type ConfigFlags, openEngine, printJson, runVerb } from '../cli-context.js';
import { formatStatus } from '../format.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'datasets with status, freshness, coverage %, open gaps, backfill queue and source health; jobs with their next run',
    )
    .option('-c, --config <file>', 'config file')
    .option('-d, --dir <dir>', 'folder holding gapwarden.config.{ts,yaml}')
    .option('--json', 'machine-readable output')
    .action((flags: ConfigFlags) =>
      runVerb(flags, async () => {
        const { engine } = await openEngine(flags, 'warn', { createStore: 'never' });
        await engine.open();
        const report = await engine.status();
        const jobs = (await engine.jobs().list()).map(summarizeJob);
        await engine.stop();
        if (flags.json) printJson({ ...report, jobs });
        else process.stdout.write(`${formatStatus(report)}\n\n${formatJobs(jobs)}\n`);
        return 0;
      }),
    );
}

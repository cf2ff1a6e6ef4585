import type { Command } from 'commander';
import type { CliKit } from '../core/module.js';
import { GapwardenError } from '../internal/errors.js';
import { formatJobs, formatRuns } from './job-format.js';
import type { JobRunner } from './job-runner.js';
import { summarizeJob, summarizeRun } from './job-summary.js';
import type { Jobs } from './jobs-runtime.js';

interface JobsFlags {
  config?: string;
  dir?: string;
  json?: boolean;
  param?: string[];
  limit?: string;
}

/** `gapwarden jobs [run|pause|resume|history]`: the scheduler's jobs, from the store any `serve` shares. */
export function registerJobsCli(program: Command, kit: CliKit<Jobs>): void {
  const { withConfigOptions: withConfig, printJson } = kit;
  /** Runs a verb on an engine opened from the flags, closed afterwards. */
  const withJobs = (
    flags: JobsFlags,
    fn: (runner: JobRunner, start: () => Promise<void>) => Promise<number>,
  ) =>
    kit.runVerb(flags, async () => {
      const session = await kit.open(flags, { logLevel: 'warn' });
      try {
        // A backfill job waits for the worker, so `run` starts it (no collectors: only this run).
        const start = () => session.start({ backfill: true, queueOpenGaps: false });
        return await fn(session.instance.runner(), start);
      } finally {
        await session.close();
      }
    });

  const jobs = program.command('jobs').description('scheduled jobs: list, run, pause, resume, history');
  withConfig(
    jobs
      .command('list', { isDefault: true })
      .description('every job: next run (job zone and UTC), last outcome, paused'),
  ).action((flags: JobsFlags) =>
    withJobs(flags, async (runner) => {
      const list = (await runner.list()).map(summarizeJob);
      if (flags.json) printJson({ jobs: list });
      else process.stdout.write(`${formatJobs(list)}\n`);
      return 0;
    }),
  );

  withConfig(jobs.command('run <id>').description('run a job now in this process and wait for it'))
    .option('-p, --param <k=v...>', 'parameters passed to the work (repeatable)')
    .action((id: string, flags: JobsFlags) =>
      withJobs(flags, async (runner, start) => {
        const params = parseParams(flags.param ?? []);
        runner.get(id);
        await start();
        const run = summarizeRun(await runner.trigger(id, params));
        if (flags.json) printJson({ run });
        else process.stdout.write(`${formatRuns(id, [run])}\n`);
        return run.state === 'ok' ? 0 : 1;
      }),
    );

  for (const action of ['pause', 'resume'] as const) {
    withConfig(
      jobs
        .command(`${action} <id>`)
        .description(
          action === 'pause'
            ? 'pause a job: no run starts, in any process, until resumed'
            : 'resume a paused job from its next due time',
        ),
    ).action((id: string, flags: JobsFlags) =>
      withJobs(flags, async (runner) => {
        await runner[action](id);
        const job = summarizeJob((await runner.list()).find((v) => v.job.id === id)!);
        if (flags.json) printJson({ job });
        else process.stdout.write(`${formatJobs([job])}\n`);
        return 0;
      }),
    );
  }

  withConfig(jobs.command('history <id>').description("a job's runs, newest first"))
    .option('-n, --limit <n>', 'how many runs', '20')
    .action((id: string, flags: JobsFlags) =>
      withJobs(flags, async (runner) => {
        runner.get(id);
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new GapwardenError(
            'CONFIG_INVALID',
            `--limit expects a whole number >= 1, found "${flags.limit}"`,
          );
        const runs = (await runner.history(id, { limit })).map(summarizeRun);
        if (flags.json) printJson({ job: id, runs });
        else process.stdout.write(`${formatRuns(id, runs)}\n`);
        return 0;
      }),
    );
}

function parseParams(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new GapwardenError('CONFIG_INVALID', `--param expects key=value, found "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

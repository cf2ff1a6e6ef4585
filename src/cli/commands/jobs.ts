import type { Command } from 'commander';
import { GapwardenError } from '../../internal/errors.js';
import { summarizeJob, summarizeRun } from '../../scheduler/job-summary.js';
import { type ConfigFlags, openEngine, printJson, runVerb } from '../cli-context.js';
import { formatJobs, formatRuns } from '../format.js';

interface JobsFlags extends ConfigFlags {
  param?: string[];
  limit?: string;
}

const withConfig = (cmd: Command) =>
  cmd
    .option('-c, --config <file>', 'config file')
    .option('-d, --dir <dir>', 'folder holding gapwarden.config.{ts,yaml}')
    .option('--json', 'machine-readable output');

/** `gapwarden jobs [run|pause|resume|history]`: the scheduler's jobs, from the store any `serve` shares. */
export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('scheduled jobs: list, run, pause, resume, history');
  withConfig(
    jobs
      .command('list', { isDefault: true })
      .description('every job: next run (job zone and UTC), last outcome, paused'),
  ).action((flags: JobsFlags) =>
    withEngine(flags, async (engine) => {
      const list = (await engine.jobs().list()).map(summarizeJob);
      if (flags.json) printJson({ jobs: list });
      else process.stdout.write(`${formatJobs(list)}\n`);
      return 0;
    }),
  );

  withConfig(jobs.command('run <id>').description('run a job now in this process and wait for it'))
    .option('-p, --param <k=v...>', 'parameters passed to the work (repeatable)')
    .action((id: string, flags: JobsFlags) =>
      withEngine(flags, async (engine) => {
        const params = parseParams(flags.param ?? []);
        engine.jobs().get(id);
        // A backfill job waits for the worker, so start it (no collectors: only this run).
        await engine.start({ collect: false, backfill: true, queueOpenGaps: false });
        const run = summarizeRun(await engine.jobs().trigger(id, params));
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
      withEngine(flags, async (engine) => {
        await engine.jobs()[action](id);
        const job = summarizeJob((await engine.jobs().list()).find((v) => v.job.id === id)!);
        if (flags.json) printJson({ job });
        else process.stdout.write(`${formatJobs([job])}\n`);
        return 0;
      }),
    );
  }

  withConfig(jobs.command('history <id>').description("a job's runs, newest first"))
    .option('-n, --limit <n>', 'how many runs', '20')
    .action((id: string, flags: JobsFlags) =>
      withEngine(flags, async (engine) => {
        engine.jobs().get(id);
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new GapwardenError(
            'CONFIG_INVALID',
            `--limit expects a whole number >= 1, found "${flags.limit}"`,
          );
        const runs = (await engine.store.listJobRuns(id, { limit })).map(summarizeRun);
        if (flags.json) printJson({ job: id, runs });
        else process.stdout.write(`${formatRuns(id, runs)}\n`);
        return 0;
      }),
    );
}

async function withEngine(
  flags: JobsFlags,
  fn: (engine: Awaited<ReturnType<typeof openEngine>>['engine']) => Promise<number>,
) {
  return runVerb(flags, async () => {
    const { engine } = await openEngine(flags, 'warn');
    await engine.open();
    try {
      return await fn(engine);
    } finally {
      await engine.stop();
    }
  });
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

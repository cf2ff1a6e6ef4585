import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { BackfillPlan } from '../../backfill/backfill-plan.js';
import { formatDuration } from '../../domain/duration.js';
import { type ConfigFlags, openEngine, printJson, runVerb } from '../cli-context.js';

interface BackfillFlags extends ConfigFlags {
  from?: string;
  to?: string;
  dryRun?: boolean;
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill <dataset>')
    .description(
      'fetch the missing partitions of a dataset from its sources, with a progress bar and a report',
    )
    .option('-c, --config <file>', 'config file')
    .option('-d, --dir <dir>', 'folder holding gapwarden.config.{ts,yaml}')
    .option('--from <partition>', 'first partition to consider (e.g. 3001 or 2026-11-01)')
    .option('--to <partition>', 'last partition to consider')
    .option('--dry-run', 'list what would be fetched; change nothing')
    .option('--json', 'machine-readable output')
    .action((dataset: string, flags: BackfillFlags) =>
      runVerb(flags, async () => {
        const { engine } = await openEngine(flags, 'warn');
        await engine.open();
        const plan = engine.planBackfill(dataset, { from: flags.from, to: flags.to });
        if (flags.dryRun || plan.partitions === 0) {
          await engine.stop();
          const summary = {
            dataset,
            dryRun: Boolean(flags.dryRun),
            from: plan.from,
            to: plan.to,
            partitions: plan.partitions,
            queueNow: plan.queueNow,
            gapCount: plan.gapCount,
            gaps: plan.gaps,
          };
          if (flags.json) printJson(summary);
          else if (plan.partitions === 0) process.stdout.write(`${dataset}: nothing to backfill\n`);
          else printPlan(plan);
          return 0;
        }
        await engine.start({ backfill: true, collect: false, queueOpenGaps: false });
        const run = await engine.queueBackfill(dataset, plan, 'manual');
        const bar =
          flags.json || !process.stderr.isTTY
            ? undefined
            : new SingleBar({
                format: `${dataset} [{bar}] {value}/{total} partitions | {eta_formatted} left`,
                stream: process.stderr,
                hideCursor: true,
              });
        bar?.start(plan.partitions, 0);
        const report = await engine.waitForRun(run.id, (r) => bar?.update(r.filled + r.failed + r.notFound));
        bar?.stop();
        await engine.stop();
        const already = Math.max(0, plan.partitions - report.requested);
        const out = {
          dataset,
          runId: report.id,
          requested: report.requested,
          alreadyQueued: already,
          filled: report.filled,
          failed: report.failed,
          notFound: report.notFound,
          deferred: report.deferred,
          durationMs: report.durationMs,
        };
        if (flags.json) printJson(out);
        else {
          const deferred =
            report.deferred > 0
              ? `, ${report.deferred} not published upstream yet (still queued: serve asks again later)`
              : '';
          process.stdout.write(
            `${dataset}: backfill run ${report.id} finished in ${formatDuration(report.durationMs)}: ${report.filled} filled, ${report.notFound} not found upstream (now known missing), ${report.failed} failed${deferred}${already > 0 ? `; ${already} were already queued by another run` : ''}\n`,
          );
        }
        return report.failed > 0 ? 1 : 0;
      }),
    );
}

function printPlan(plan: BackfillPlan): void {
  const { dataset, partitions, gapCount, queueNow } = plan;
  process.stdout.write(`${dataset}: would fetch ${partitions} partition(s) in ${gapCount} gap(s)`);
  process.stdout.write(
    queueNow < partitions ? `, queueing ${queueNow} at once and the rest as the queue drains:\n` : ':\n',
  );
  for (const g of plan.gaps.slice(0, 50))
    process.stdout.write(`  ${g.from === g.to ? g.from : `${g.from} .. ${g.to}`} (${g.count})\n`);
  if (gapCount > 50) process.stdout.write(`  ... and ${gapCount - 50} more gap(s)\n`);
}

import type { Command } from 'commander';
import { type ConfigFlags, openEngine, printJson, runVerb } from '../cli-context.js';

interface PurgeFlags extends ConfigFlags {
  from?: string;
  to?: string;
  records?: boolean;
  knownMissing?: boolean;
  dryRun?: boolean;
}

export function registerPurge(program: Command): void {
  program
    .command('purge <dataset>')
    .description(
      'repair a range: delete its records and/or forget its known-missing marks (recorded); the gaps that reappear are backfilled',
    )
    .option('-c, --config <file>', 'config file')
    .option('-d, --dir <dir>', 'folder holding gapwarden.config.{ts,yaml}')
    .option('--from <partition>', 'first partition of the range (e.g. 1760 or 2026-11-01)')
    .option('--to <partition>', 'last partition of the range')
    .option('--records', 'delete the records stored in the range')
    .option('--known-missing', 'forget the partitions marked known missing in the range')
    .option('--dry-run', 'count what would be removed; change nothing')
    .option('--json', 'machine-readable output')
    .action((dataset: string, flags: PurgeFlags) =>
      runVerb(flags, async () => {
        // At info: the purge is logged as well as recorded in the store.
        const { engine } = await openEngine(flags, 'info');
        try {
          await engine.open();
          const purge = await engine.purge(dataset, {
            from: flags.from,
            to: flags.to,
            records: flags.records === true,
            knownMissing: flags.knownMissing === true,
            dryRun: flags.dryRun === true,
            by: 'cli',
          });
          const plan = engine.planBackfill(dataset, { from: flags.from, to: flags.to });
          const gaps = { partitions: plan.partitions, gaps: plan.gapCount };
          if (flags.json) {
            printJson({ ...purge, gapsAfter: purge.dryRun ? null : gaps });
            return 0;
          }
          const verb = purge.dryRun ? 'would remove' : 'removed';
          const range = purge.from === purge.to ? `${purge.from}` : `${purge.from} .. ${purge.to}`;
          process.stdout.write(
            `${dataset} ${range}: ${verb} ${purge.records} record(s), ${purge.knownMissing} known-missing mark(s) and ${purge.queueItems} queued backfill partition(s)${purge.dryRun ? ' (dry run: nothing changed)' : ` (purge ${purge.id}, recorded)`}\n`,
          );
          if (!purge.dryRun)
            process.stdout.write(
              gaps.partitions > 0
                ? `${dataset}: ${gaps.partitions} partition(s) in ${gaps.gaps} gap(s) of the range are open again; serve backfills them\n`
                : `${dataset}: no gap is open in the range\n`,
            );
          return 0;
        } finally {
          await engine.stop();
        }
      }),
    );
}

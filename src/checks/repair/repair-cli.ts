import type { Command } from 'commander';
import type { CliConfigFlags, CliKit } from '../../core/module.js';
import { GapwardenError } from '../../internal/errors.js';
import { formatJournal, formatJournalEntry, formatRepairReport, formatRollback } from './repair-format.js';
import { parseKeyList } from './repair-plan.js';
import type { Repairs } from './repairs.js';

interface RepairFlags extends CliConfigFlags {
  dryRun?: boolean;
  batchSize?: string;
  max?: string;
  keys?: string;
  from?: string;
  to?: string;
  check?: string;
  limit?: string;
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new GapwardenError('CONFIG_INVALID', `${flag} expects a whole number >= 1, found "${text}"`);
  }
  return n;
}

function instant(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new GapwardenError(
      'CONFIG_INVALID',
      `${flag} expects an ISO 8601 time such as 2026-01-31T00:00:00Z, found "${text}"`,
    );
  }
  return ms;
}

/**
 * `gapwarden repair <check>`, `gapwarden rollback <journal-id>` and
 * `gapwarden journal [id]`, contributed through the checks module's `cli`
 * hook (`repairsOf` picks the repairs out of the module's instance).
 */
export function registerRepairCli<T>(
  program: Command,
  kit: CliKit<T>,
  repairsOf: (instance: T) => Repairs,
): void {
  const { withConfigOptions: withConfig, printJson } = kit;
  const withRepairs = (flags: RepairFlags, fn: (r: Repairs) => Promise<number>, write: boolean) =>
    kit.runVerb(flags, async () => {
      const session = await kit.open(flags, {
        logLevel: 'warn',
        ...(write ? {} : { createStore: 'never' as const }),
      });
      try {
        return await fn(repairsOf(session.instance));
      } finally {
        await session.close();
      }
    });
  const out = (flags: RepairFlags, json: unknown, text: string) => {
    if (flags.json) printJson(json);
    else process.stdout.write(`${text}\n`);
  };

  withConfig(
    program
      .command('repair <check>')
      .description(
        "repair a check's findings in batches, each re-verified first (--dry-run: only list what it would do)",
      ),
  )
    .option('--dry-run', 'list exactly what would be done; change nothing')
    .option(
      '--batch-size <n>',
      'findings per batch (one transaction for SQL); default: the repair config (500)',
    )
    .option('--max <n>', 'findings repaired at most in this run; default: the repair config (10000)')
    .option('--keys <k1,k2>', 'only these findings')
    .option('--from <time>', 'look for findings from this time (default: the widest profile window)')
    .option('--to <time>', 'up to this time (default: now)')
    .action((check: string, flags: RepairFlags) =>
      withRepairs(
        flags,
        async (r) => {
          const report = await r.repair(check, {
            dryRun: flags.dryRun === true,
            batchSize: positiveInt(flags.batchSize, '--batch-size'),
            max: positiveInt(flags.max, '--max'),
            keys: parseKeyList(flags.keys),
            fromMs: instant(flags.from, '--from'),
            toMs: instant(flags.to, '--to'),
            actor: 'cli',
          });
          const { run: _run, ...json } = report;
          out(flags, json, formatRepairReport(report));
          return report.status === 'failed' ? 1 : 0;
        },
        // A dry run writes nothing, but the store may not exist yet (a fresh demo folder): it is created.
        true,
      ),
    );

  withConfig(
    program.command('rollback <journal-id>').description('undo a repair run (see gapwarden journal)'),
  ).action((id: string, flags: RepairFlags) =>
    withRepairs(
      flags,
      async (r) => {
        const report = await r.rollback(positiveInt(id, 'the journal id') ?? 0);
        out(
          flags,
          {
            journalId: report.journalId,
            check: report.check,
            status: report.status,
            undone: report.undone,
            restoredRows: report.restoredRows,
            run: report.run,
          },
          formatRollback(report),
        );
        return 0;
      },
      true,
    ),
  );

  withConfig(
    program.command('journal [journal-id]').description('repair runs, newest first; with an id, its actions'),
  )
    .option('--check <name>', 'only runs of this check')
    .option('-n, --limit <n>', 'how many runs', '50')
    .action((id: string | undefined, flags: RepairFlags) =>
      withRepairs(
        flags,
        async (r) => {
          if (id !== undefined) {
            const entry = await r.entry(positiveInt(id, 'the journal id') ?? 0);
            out(flags, entry, formatJournalEntry(entry.run, entry.actions));
            return 0;
          }
          const runs = await r.runs({ check: flags.check, limit: positiveInt(flags.limit, '--limit') ?? 50 });
          out(flags, { runs }, formatJournal(runs));
          return 0;
        },
        false,
      ),
    );
}

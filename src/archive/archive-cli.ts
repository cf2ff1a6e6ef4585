import type { Command } from 'commander';
import type { CliConfigFlags, CliKit } from '../core/module.js';
import { GapwardenError } from '../internal/errors.js';
import { formatManifests, formatRestore, formatRetention, formatVerify } from './archive-format-text.js';
import type { Archive } from './archive-runtime.js';
import { ARCHIVE_STATES, type ArchiveState } from './store/archive-store.js';

interface ArchiveFlags extends CliConfigFlags {
  state?: string;
  limit?: string;
  from?: string;
  to?: string;
}

/**
 * `gapwarden archive [run|list|verify|restore|read]`: retention and the
 * archive, on the store and object store any `serve` shares.
 */
export function registerArchiveCli(program: Command, kit: CliKit<Archive>): void {
  const { withConfigOptions: withConfig, printJson } = kit;
  const withArchive = (flags: ArchiveFlags, fn: (a: Archive) => Promise<number>, write = false) =>
    kit.runVerb(flags, async () => {
      const session = await kit.open(flags, {
        logLevel: 'warn',
        ...(write ? {} : { createStore: 'never' as const }),
      });
      try {
        return await fn(session.instance);
      } finally {
        await session.close();
      }
    });
  const out = (flags: ArchiveFlags, json: unknown, text: string) => {
    if (flags.json) printJson(json);
    else process.stdout.write(`${text}\n`);
  };

  const archive = program
    .command('archive')
    .description('retention and the archive: run, list, verify, restore, read archived records');

  withConfig(
    archive
      .command('run [dataset]')
      .description('archive, verify, then delete detail older than each retention; expire old archives'),
  ).action((dataset: string | undefined, flags: ArchiveFlags) =>
    withArchive(
      flags,
      async (a) => {
        const reports = await a.archiver.run(dataset);
        out(flags, { reports }, formatRetention(reports));
        return reports.some((r) => r.errors.length > 0) ? 1 : 0;
      },
      true,
    ),
  );

  withConfig(archive.command('list [dataset]', { isDefault: true }).description('manifests and storage used'))
    .option('-s, --state <list>', `only these states (${ARCHIVE_STATES.join(', ')})`)
    .option('-n, --limit <n>', 'how many', '200')
    .action((dataset: string | undefined, flags: ArchiveFlags) =>
      withArchive(flags, async (a) => {
        const states = (flags.state ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const bad = states.find((s) => !ARCHIVE_STATES.includes(s as ArchiveState));
        if (bad)
          throw new GapwardenError(
            'CONFIG_INVALID',
            `--state expects ${ARCHIVE_STATES.join(', ')}, found "${bad}"`,
          );
        const limit = Number(flags.limit ?? 200);
        if (!Number.isInteger(limit) || limit < 1)
          throw new GapwardenError(
            'CONFIG_INVALID',
            `--limit expects a whole number >= 1, found "${flags.limit}"`,
          );
        const manifests = await a.store.listManifests({
          limit,
          ...(dataset ? { dataset } : {}),
          ...(states.length ? { states: states as ArchiveState[] } : {}),
        });
        const usage = (await a.usage()).filter((u) => !dataset || u.dataset === dataset);
        out(
          flags,
          { objectStore: a.describeObjects(), usage, manifests },
          formatManifests(manifests, usage, a.describeObjects()),
        );
        return 0;
      }),
    );

  withConfig(
    archive
      .command('verify <dataset> [day]')
      .description(
        'read objects back; compare records, size and sha256 with the manifests (exit 1 on a mismatch)',
      ),
  ).action((dataset: string, day: string | undefined, flags: ArchiveFlags) =>
    withArchive(flags, async (a) => {
      const verified = await a.archiver.verify(dataset, day);
      out(flags, { verified }, formatVerify(verified));
      return verified.every((v) => v.ok) ? 0 : 1;
    }),
  );

  withConfig(
    archive
      .command('restore <dataset> <day>')
      .description("put a day's archived records back into the store"),
  ).action((dataset: string, day: string, flags: ArchiveFlags) =>
    withArchive(
      flags,
      async (a) => {
        const report = await a.archiver.restore(dataset, day);
        out(flags, report, formatRestore(report));
        return 0;
      },
      true,
    ),
  );

  withConfig(
    archive
      .command('read <dataset>')
      .description('archived records of days --from .. --to as JSON Lines, streamed from the objects'),
  )
    .requiredOption('--from <day>', 'first UTC day, YYYY-MM-DD')
    .requiredOption('--to <day>', 'last UTC day, YYYY-MM-DD')
    .action((dataset: string, flags: ArchiveFlags) =>
      withArchive(flags, async (a) => {
        for await (const lines of a.archiver.read(dataset, flags.from!, flags.to!)) {
          const text = lines.map((l) => `${JSON.stringify(l)}\n`).join('');
          if (!process.stdout.write(text)) await new Promise((r) => process.stdout.once('drain', r));
        }
        return 0;
      }),
    );
}

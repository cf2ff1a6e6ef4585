import type { Command } from 'commander';
import type { CliConfigFlags, CliKit } from '../core/module.js';
import { parseDuration } from '../domain/duration.js';
import { GapwardenError } from '../internal/errors.js';
import { formatSeries, formatStatus, formatTop } from './rollup-format.js';
import type { Rollups } from './rollups-runtime.js';

interface RollupFlags extends CliConfigFlags {
  from?: string;
  to?: string;
  last?: string;
  bucket?: string;
  where?: string[];
  groupBy?: string;
  quantiles?: string;
  by?: string;
  n?: string;
  version?: string;
}

/** An instant from `--from`/`--to`: ISO 8601 or epoch milliseconds. */
function instant(text: string, flag: string): number {
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (Number.isNaN(t)) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `${flag} expects an ISO 8601 time or epoch ms, found "${text}"`,
    );
  }
  return t;
}

function range(flags: RollupFlags, now: number): { from: number; to: number } {
  const to = flags.to === undefined ? now : instant(flags.to, '--to');
  if (flags.from !== undefined) return { from: instant(flags.from, '--from'), to };
  const last = parseDuration(flags.last ?? '24h');
  if (last === undefined)
    throw new GapwardenError(
      'REQUEST_INVALID',
      `--last expects a duration such as 6h, found "${flags.last}"`,
    );
  return { from: to - last, to };
}

function where(list: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of list ?? []) {
    const i = w.indexOf('=');
    if (i <= 0) throw new GapwardenError('REQUEST_INVALID', `--where expects dimension=value, found "${w}"`);
    out[w.slice(0, i)] = w.slice(i + 1);
  }
  return out;
}

const csv = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/**
 * `gapwarden rollup [status|query|top|snapshot|rebuild] <name>`: reads catch
 * the rollup up first (records inserted but not yet counted are applied), so
 * the answer is current even where no `serve` runs.
 */
export function registerRollupsCli(program: Command, kit: CliKit<Rollups>): void {
  const { withConfigOptions: withConfig, printJson } = kit;
  const run = (
    flags: RollupFlags,
    fn: (r: Rollups, now: number) => Promise<{ json: unknown; text: string }>,
  ) =>
    kit.runVerb(flags, async () => {
      const session = await kit.open(flags, { logLevel: 'warn' });
      try {
        const { json, text } = await fn(session.instance, session.ctx.clock.now());
        if (flags.json) printJson(json);
        else process.stdout.write(`${text}\n`);
        return 0;
      } finally {
        await session.close();
      }
    });
  const rangeOptions = (c: Command) =>
    c
      .option('--from <time>', 'start, ISO 8601 or epoch ms')
      .option('--to <time>', 'end (exclusive), default now')
      .option('--last <duration>', 'instead of --from: this long before --to', '24h')
      .option('-w, --where <dim=value...>', 'only these dimension values (repeatable)')
      .option('-g, --group-by <dims>', 'comma-separated dimensions kept apart (default: all)');

  const rollup = program
    .command('rollup')
    .description('rollups: counts, unique values and quantiles per bucket');

  withConfig(
    rollup.command('status', { isDefault: true }).description('every rollup: cursor, lag, top version'),
  ).action((flags: RollupFlags) =>
    run(flags, async (r) => {
      await r.catchUp();
      const status = await r.status();
      return { json: { rollups: status }, text: formatStatus(status) };
    }),
  );

  withConfig(rangeOptions(rollup.command('query <name>').description('a series over a range')))
    .option('-b, --bucket <bucket>', "minute, hour or day (default: the rollup's)")
    .option('-q, --quantiles <list>', 'e.g. 0.5,0.95,0.99')
    .action((name: string, flags: RollupFlags) =>
      run(flags, async (r, now) => {
        await r.catchUp(name);
        const bucket = flags.bucket;
        if (bucket !== undefined && !['minute', 'hour', 'day'].includes(bucket)) {
          throw new GapwardenError(
            'REQUEST_INVALID',
            `--bucket expects minute, hour or day, found "${bucket}"`,
          );
        }
        const quantiles = csv(flags.quantiles)?.map(Number);
        const series = await r.series(name, {
          ...range(flags, now),
          ...(bucket ? { bucket: bucket as 'minute' | 'hour' | 'day' } : {}),
          filter: where(flags.where),
          ...(flags.groupBy !== undefined ? { groupBy: csv(flags.groupBy) } : {}),
          ...(quantiles ? { quantiles } : {}),
        });
        return { json: { rollup: name, series }, text: formatSeries(series) };
      }),
    );

  withConfig(rangeOptions(rollup.command('top <name>').description('the top N by a measure over a range')))
    .option('--by <measure>', 'e.g. requests, clients, latency.p95')
    .option('-n <n>', 'how many', '10')
    .option('--version <v>', 'a stored top-N snapshot instead: a version number or latest')
    .action((name: string, flags: RollupFlags) =>
      run(flags, async (r, now) => {
        await r.catchUp(name);
        if (flags.version !== undefined) {
          const v = flags.version === 'latest' ? 'latest' : Number(flags.version);
          if (v !== 'latest' && !(Number.isInteger(v) && v > 0)) {
            throw new GapwardenError(
              'REQUEST_INVALID',
              `--version expects a number or latest, found "${flags.version}"`,
            );
          }
          const s = await r.snapshot(name, v);
          const entries = (s.body.entries ?? []) as Parameters<typeof formatTop>[0];
          return {
            json: s,
            text: `snapshot v${s.version} of ${new Date(s.createdAt).toISOString()}\n${formatTop(entries, String(s.body.by))}`,
          };
        }
        const n = Number(flags.n ?? 10);
        if (!Number.isInteger(n) || n < 1)
          throw new GapwardenError('REQUEST_INVALID', `-n expects a whole number >= 1`);
        const top = await r.top(name, {
          ...range(flags, now),
          ...(flags.by ? { by: flags.by } : {}),
          n,
          filter: where(flags.where),
          ...(flags.groupBy !== undefined ? { groupBy: csv(flags.groupBy) } : {}),
        });
        const by = flags.by ?? r.get(name).top?.by.label ?? r.get(name).measures[0]?.name ?? '';
        return { json: { rollup: name, by, top }, text: formatTop(top, by) };
      }),
    );

  withConfig(
    rollup
      .command('rebuild <name>')
      .description('recompute the buckets of [--from, --to) from the detail records')
      .requiredOption('--from <time>', 'start, ISO 8601 or epoch ms')
      .requiredOption('--to <time>', 'end (exclusive)'),
  ).action((name: string, flags: RollupFlags) =>
    run(flags, async (r) => {
      await r.catchUp(name);
      const result = await r.rebuild(
        name,
        instant(flags.from as string, '--from'),
        instant(flags.to as string, '--to'),
      );
      return {
        json: { rollup: name, ...result },
        text: `rebuilt ${result.cells} buckets of ${name} from ${result.records} records (cursor ${result.position})`,
      };
    }),
  );
}

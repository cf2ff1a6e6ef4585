import { isAbsolute, resolve } from 'node:path';
import { Cron } from 'croner';
import { createPartitioning } from '../domain/create-partitioning.js';
import { cronShapeProblem } from '../domain/cron-fields.js';
import { parseDuration } from '../domain/duration.js';
import type { PartitionHorizon } from '../domain/partition-horizon.js';
import type { Partitioning } from '../domain/partitioning.js';
import { ConfigError, type ConfigIssue, describeError } from '../internal/errors.js';
import { toConfigIssues } from '../internal/zod-issues.js';
import { compileAlerts } from './compile-alerts.js';
import { compileArchive } from './compile-archive.js';
import { compileChecks } from './compile-checks.js';
import { compileJobs, compileScheduler } from './compile-jobs.js';
import { compileRollups } from './compile-rollups.js';
import { compileServerLimits } from './compile-server-limits.js';
import { compileStreams } from './compile-streams.js';
import type { CompiledConfig, CompiledDataset, CompiledServer, CompiledStore } from './compiled-config.js';
import { configSchema, type DatasetConfig, type GapwardenConfig } from './config-schema.js';
import { configSecrets, redactIssues } from './config-secrets.js';
import { resolveEnvRefs } from './env-refs.js';
import { partitionPlaceholderIssues } from './partition-placeholders.js';
import { SCHEMA_NAME } from './postgres-schema-name.js';
import { followsFromBrokenDataset, salvageConfig } from './salvage-config.js';

export interface CompileOptions {
  /** The file the config came from; relative paths resolve against its folder. */
  file?: string;
  /** Folder relative paths resolve against when there is no file. @default process.cwd() */
  baseDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Validates a configuration and compiles it into a fully-resolved form. Every
 * problem found is reported at once, each with its field path, in one
 * ConfigError.
 */
export function compileConfig(input: unknown, options: CompileOptions = {}): CompiledConfig {
  const { value, issues, fromEnv } = resolveEnvRefs(input, options.env ?? process.env);
  const secrets = configSecrets(fromEnv);
  // An issue may quote a field's value: secrets are masked there too.
  const fail = (list: ConfigIssue[]) => new ConfigError(redactIssues(list, secrets), options.file);
  const parsed = configSchema.safeParse(value, { reportInput: false });
  // With schema or environment problems, the parts without any are still compiled, so one
  // round reports everything (a bad time zone or cron beside a typo elsewhere).
  // A schema issue where an environment reference is unset only repeats it (the value is empty).
  const schemaIssues = parsed.success
    ? []
    : toConfigIssues(parsed.error, value).filter((i) => !issues.some((e) => e.path === i.path));
  const early = [...issues, ...schemaIssues];
  const salvaged = early.length === 0 ? undefined : salvageConfig(value, parsed.error?.issues ?? [], issues);
  if (early.length > 0 && !salvaged) throw fail(early);
  const config = salvaged ?? (parsed.data as GapwardenConfig);

  const all: ConfigIssue[] = [];
  const datasets: CompiledDataset[] = [];
  for (const [name, ds] of Object.entries(config.datasets)) {
    const compiled = compileDataset(name, ds, all);
    if (compiled) datasets.push(compiled);
  }
  const baseDir = options.file ? resolve(options.file, '..') : (options.baseDir ?? process.cwd());
  const server = compileServer(config.server, all);
  const checks = compileChecks(
    { connections: config.connections, checks: config.checks, datasets, baseDir },
    all,
  );
  const compiled: CompiledConfig = {
    file: options.file,
    store: compileStore(config.store, baseDir, all),
    log: { level: config.log?.level ?? 'info' },
    server,
    datasets,
    jobs: [...compileJobs(config, datasets, all), ...checks.jobs],
    scheduler: compileScheduler(config.scheduler),
    alerts: compileAlerts(config.alerts, datasets, server, all),
    checks: checks.checks,
    streams: compileStreams(config.streams, datasets, all),
    rollups: compileRollups(config.rollups, datasets, all),
    archive: compileArchive(config.archive, datasets, baseDir, all),
    secrets,
  };
  const later = all.filter((i) => !followsFromBrokenDataset(i, value, datasets));
  if (early.length + later.length > 0) throw fail([...early, ...later]);
  return compiled;
}

function compileStore(
  store: GapwardenConfig['store'],
  baseDir: string,
  issues: ConfigIssue[],
): CompiledStore {
  const postgres = store?.postgres;
  if (postgres === undefined) {
    for (const key of ['schema', 'poolSize'] as const) {
      if (store?.[key] !== undefined) {
        issues.push({
          path: `store.${key}`,
          expected: 'store.postgres to be set',
          found: JSON.stringify(store[key]),
          message: `store.${key} applies to a PostgreSQL store only`,
        });
      }
    }
    const sqlite = store?.sqlite ?? 'gapwarden.db';
    return {
      kind: 'sqlite',
      path: sqlite === ':memory:' || isAbsolute(sqlite) ? sqlite : resolve(baseDir, sqlite),
      durability: store?.durability ?? 'full',
    };
  }
  if (store?.durability !== undefined) {
    issues.push({
      path: 'store.durability',
      expected: 'store.sqlite (or no store.postgres)',
      found: JSON.stringify(store.durability),
      message:
        "store.durability applies to a SQLite store only; a PostgreSQL store's durability is the server's synchronous_commit (on by default: every commit is on disk before it is acknowledged)",
    });
  }
  if (store?.sqlite !== undefined) {
    issues.push({
      path: 'store',
      expected: 'exactly one of `sqlite` or `postgres`',
      found: 'both',
      message: 'a store is either a SQLite file or a PostgreSQL database; remove one of the two',
    });
  }
  // The URL may carry a password: issues describe it without echoing it.
  let protocol: string | undefined;
  try {
    protocol = new URL(postgres).protocol;
  } catch {}
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    issues.push({
      path: 'store.postgres',
      expected: 'a URL such as postgres://user:password@host:5432/database (or "${env:DATABASE_URL}")',
      found: protocol ? `a ${protocol}// URL` : 'a value that is not a URL',
      message: 'store.postgres must be a postgres:// or postgresql:// URL',
    });
  }
  const schema = store?.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    issues.push({
      path: 'store.schema',
      expected: 'lower-case letters, digits and _, not starting with a digit (at most 63)',
      found: JSON.stringify(schema),
      message: 'not a plain PostgreSQL schema name',
    });
  }
  return { kind: 'postgres', url: postgres, schema, poolSize: store?.poolSize ?? 10 };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function compileServer(server: GapwardenConfig['server'], issues: ConfigIssue[]): CompiledServer {
  const host = server?.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host) && !server?.token) {
    issues.push({
      path: 'server.token',
      expected: 'a token (e.g. "${env:GAPWARDEN_TOKEN}") when listening beyond loopback',
      found: 'nothing',
      message: `server.host ${host} is not a loopback address; set server.token so state-changing calls are guarded`,
    });
  }
  return {
    enabled: server?.enabled ?? true,
    host,
    port: server?.port ?? 7070,
    token: server?.token,
    protectReads: server?.protectReads ?? false,
    bodyLimitBytes: parseSize(server?.bodyLimit ?? '10mb'),
    ...compileServerLimits(server, issues),
  };
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Parses '512kb' / '10mb' (already validated by the schema) into bytes. */
function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  return Math.floor(Number(m?.[1] ?? 0) * (SIZE_UNITS[(m?.[2] ?? 'b').toLowerCase()] ?? 1));
}

function compileDataset(name: string, ds: DatasetConfig, issues: ConfigIssue[]): CompiledDataset | undefined {
  const at = `datasets.${name}`;
  let partitioning: Partitioning | undefined;
  // The horizon is the dataset's limit, not part of the partition layout.
  const { horizon: _sequenceHorizon, ...sequence } = ds.partition.sequence ?? {};
  const { horizon: _calendarHorizon, ...calendar } = ds.partition.calendar ?? {};
  try {
    partitioning = createPartitioning(ds.partition.sequence ? { sequence } : { calendar });
  } catch (err) {
    issues.push({
      path: `${at}.partition`,
      expected: 'a valid partition definition',
      found: 'invalid',
      message: describeError(err),
    });
  }
  const sources = (ds.sources ?? []) as CompiledDataset['sources'];
  if (partitioning) issues.push(...partitionPlaceholderIssues(at, partitioning, sources));
  const seen = new Set<string>();
  sources.forEach((s, i) => {
    if (seen.has(s.name)) {
      issues.push({
        path: `${at}.sources[${i}].name`,
        expected: 'a unique source name',
        found: JSON.stringify(s.name),
        message: 'two sources of one dataset share a name',
      });
    }
    seen.add(s.name);
  });
  let collect: CompiledDataset['collect'];
  if (ds.collect) {
    const timezone = ds.collect.timezone ?? ds.partition.calendar?.timezone ?? 'UTC';
    try {
      const shape = cronShapeProblem(ds.collect.schedule);
      if (shape !== undefined) throw new Error(shape);
      new Cron(ds.collect.schedule, { timezone, paused: true });
      collect = { schedule: ds.collect.schedule, timezone, source: ds.collect.source };
    } catch (err) {
      issues.push({
        path: `${at}.collect.schedule`,
        expected: 'a cron expression such as "*/30 * * * * *" or "0 2 * * *"',
        found: JSON.stringify(ds.collect.schedule),
        message: describeError(err),
      });
    }
    if (sources.length === 0) {
      issues.push({
        path: `${at}.sources`,
        expected: 'at least one source',
        found: 'none',
        message: 'a dataset with `collect` needs a source to collect from',
      });
    }
  }
  const ms = (v: string | number | undefined, fallback: number) =>
    v === undefined ? fallback : (parseDuration(v) ?? fallback);
  const rate = ds.backfill?.ratePerSecond ?? 20;
  const compiled: CompiledDataset = {
    name,
    description: ds.description,
    partitioning: partitioning!,
    horizon: compileHorizon(ds.partition),
    onConflict: ds.onConflict ?? 'ignore',
    sources,
    collect,
    freshness: {
      warnMs: ds.freshness?.warnAfter === undefined ? undefined : parseDuration(ds.freshness.warnAfter),
      errorMs: ds.freshness?.errorAfter === undefined ? undefined : parseDuration(ds.freshness.errorAfter),
    },
    backfill: {
      enabled: ds.backfill?.enabled ?? true,
      concurrency: ds.backfill?.concurrency ?? 4,
      ratePerSecond: rate,
      burst: ds.backfill?.burst ?? Math.max(1, Math.ceil(rate)),
      maxAttempts: ds.backfill?.maxAttempts ?? 5,
      retryInitialMs: ms(ds.backfill?.retryInitial, 1000),
      retryMaxMs: ms(ds.backfill?.retryMax, 300_000),
      maxQueued: ds.backfill?.maxQueued ?? ds.backfill?.maxPartitionsPerGap ?? 10_000,
      leaseMs: ms(ds.backfill?.lease, 60_000),
      rangeSize: ds.backfill?.rangeSize ?? 100,
    },
    breaker: {
      failureThreshold: ds.breaker?.failureThreshold ?? 3,
      cooldownMs: ms(ds.breaker?.cooldown, 30_000),
    },
  };
  if (ds.backfill?.maxQueued !== undefined && ds.backfill.maxPartitionsPerGap !== undefined) {
    issues.push({
      path: `${at}.backfill.maxPartitionsPerGap`,
      expected: 'only `maxQueued` (its new name)',
      found: 'both',
      message: 'maxPartitionsPerGap is the former name of maxQueued; remove it',
    });
  }
  const { warnMs, errorMs } = compiled.freshness;
  if (warnMs !== undefined && errorMs !== undefined && warnMs > errorMs) {
    issues.push({
      path: `${at}.freshness`,
      expected: 'warnAfter <= errorAfter',
      found: `${ds.freshness?.warnAfter} > ${ds.freshness?.errorAfter}`,
      message: 'the warning threshold must come before the error threshold',
    });
  }
  return partitioning ? compiled : undefined;
}

/** Partitions a sequence record may lie ahead of the newest stored one, unless configured. */
export const DEFAULT_SEQUENCE_HORIZON = 50_000;
/** How far ahead of now a calendar partition may start, unless configured. */
export const DEFAULT_CALENDAR_HORIZON = '2d';

function compileHorizon(partition: DatasetConfig['partition']): PartitionHorizon | undefined {
  if (partition.sequence) {
    const count = partition.sequence.horizon ?? DEFAULT_SEQUENCE_HORIZON;
    return count === false ? undefined : { kind: 'partitions', count };
  }
  const value = partition.calendar?.horizon ?? DEFAULT_CALENDAR_HORIZON;
  if (value === false) return undefined;
  // The schema accepts only well-formed durations.
  return { kind: 'time', ms: parseDuration(value)!, text: typeof value === 'number' ? `${value}ms` : value };
}

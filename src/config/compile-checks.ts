import { isAbsolute, resolve } from 'node:path';
import { parseDuration } from '../domain/duration.js';
import { compileSchedule } from '../domain/schedule/compile-schedule.js';
import type { ScheduleSpec } from '../domain/schedule/schedule-spec.js';
import { assertTimeZone } from '../domain/time-zone.js';
import { ConfigError, type ConfigIssue, describeError } from '../internal/errors.js';
import type { CheckConfig, CheckProfile, ConnectionConfig, ConsistencySideConfig } from './checks-schema.js';
import { CHECK_PROFILES, SQL_IDENTIFIER } from './checks-schema.js';
import { compileCheckRepair } from './compile-check-repairs.js';
import { describeSchedule } from './compile-jobs.js';
import {
  CHECK_JOB_KIND,
  type CompiledCheck,
  type CompiledCheckProfile,
  type CompiledCheckSide,
  type CompiledChecks,
  type CompiledConnection,
  type CompiledDatasetSide,
  type CompiledScoreScale,
  checkJobId,
} from './compiled-checks.js';
import type { CompiledDataset, CompiledJob } from './compiled-config.js';

const ms = (v: string | number | undefined, fallback: number) =>
  v === undefined ? fallback : (parseDuration(v) ?? fallback);

/** The seed's defaults: quick = last hour every 15 minutes; full = last 24 h hourly; deep = 14 days at 02:00. */
const PROFILE_DEFAULTS: Record<CheckProfile, { windowMs: number; schedule: (tz: string) => ScheduleSpec }> = {
  quick: { windowMs: 3_600_000, schedule: () => ({ every: '15m' }) },
  full: { windowMs: 86_400_000, schedule: (timezone) => ({ cron: '0 * * * *', timezone }) },
  deep: { windowMs: 14 * 86_400_000, schedule: (timezone) => ({ cron: '0 2 * * *', timezone }) },
};

export interface CompileChecksInput {
  connections: Record<string, ConnectionConfig> | undefined;
  checks: Record<string, CheckConfig> | undefined;
  datasets: readonly CompiledDataset[];
  /** Relative SQLite paths resolve against it. */
  baseDir: string;
}

/**
 * Compiles `connections` and `checks`, and the scheduled jobs of every check
 * profile with a schedule (`check:<name>:<profile>`, kind `run-check`).
 * Problems are pushed to `issues` with their field paths; a URL is never
 * quoted in an issue (it may hold a password).
 */
export function compileChecks(
  input: CompileChecksInput,
  issues: ConfigIssue[],
): { checks: CompiledChecks; jobs: CompiledJob[] } {
  const connections: CompiledConnection[] = [];
  for (const [name, c] of Object.entries(input.connections ?? {})) {
    const compiled = compileConnection(name, c, input.baseDir, issues);
    if (compiled) connections.push(compiled);
  }
  const checks: CompiledCheck[] = [];
  const jobs: CompiledJob[] = [];
  for (const [name, c] of Object.entries(input.checks ?? {})) {
    const compiled = compileCheck(name, c, input, issues);
    if (!compiled) continue;
    checks.push(compiled);
    for (const p of compiled.profiles) if (p.schedule) jobs.push(checkJob(compiled, p));
  }
  return { checks: { connections, checks }, jobs };
}

function compileConnection(
  name: string,
  c: ConnectionConfig,
  baseDir: string,
  issues: ConfigIssue[],
): CompiledConnection | undefined {
  const at = `connections.${name}`;
  const set = (['postgres', 'mysql', 'sqlite'] as const).filter((k) => c[k] !== undefined);
  if (set.length !== 1) {
    issues.push({
      path: at,
      expected: 'exactly one of `postgres`, `mysql` or `sqlite`',
      found: set.length === 0 ? 'none' : set.join(' and '),
      message: 'a connection reaches one database: set one of postgres (URL), mysql (URL) or sqlite (file)',
    });
    return undefined;
  }
  const dialect = set[0]!;
  let target = c[dialect]!;
  if (dialect === 'sqlite') {
    if (target !== ':memory:' && !isAbsolute(target)) target = resolve(baseDir, target);
  } else {
    const allowed = dialect === 'postgres' ? ['postgres:', 'postgresql:'] : ['mysql:', 'mariadb:'];
    let protocol: string | undefined;
    try {
      protocol = new URL(target).protocol;
    } catch {}
    if (!protocol || !allowed.includes(protocol)) {
      issues.push({
        path: `${at}.${dialect}`,
        expected: `a URL such as ${allowed[0]}//user:password@host/database (or "\${env:APP_DB_URL}")`,
        found: protocol ? `a ${protocol}// URL` : 'a value that is not a URL',
        message: `connections.${name}.${dialect} must be a ${allowed.join(' or ')}// URL`,
      });
      return undefined;
    }
  }
  return {
    name,
    dialect,
    target,
    writable: c.writable ?? false,
    queryTimeoutMs: ms(c.queryTimeout, 60_000),
    poolSize: c.poolSize ?? 4,
  };
}

function compileCheck(
  name: string,
  c: CheckConfig,
  input: CompileChecksInput,
  issues: ConfigIssue[],
): CompiledCheck | undefined {
  const at = `checks.${name}`;
  const before = issues.length;
  const timezone = c.timezone ?? 'UTC';
  try {
    assertTimeZone(timezone);
  } catch (err) {
    issues.push({
      path: `${at}.timezone`,
      expected: 'an IANA time zone such as "Asia/Shanghai"',
      found: JSON.stringify(timezone),
      message: describeError(err),
    });
  }
  const scale = compileScale(at, c, issues);
  const profiles = compileProfiles(at, c, timezone, issues);
  if ('connection' in c && c.connection !== undefined) {
    const names = Object.keys(input.connections ?? {});
    if (!names.includes(c.connection)) {
      issues.push({
        path: `${at}.connection`,
        expected: `one of the connections: ${names.join(', ') || '(none configured under `connections`)'}`,
        found: JSON.stringify(c.connection),
        message: `check "${name}" names a connection that is not configured`,
      });
    }
  }
  const base = {
    name,
    description: c.description,
    timezone,
    scale,
    profiles,
    sample: c.sample ?? 50,
    resultsDir: c.resultsDir === undefined ? undefined : resolve(input.baseDir, c.resultsDir),
    repair: compileCheckRepair(
      c.repair,
      {
        path: at,
        kind: c.kind,
        connection: 'connection' in c ? c.connection : undefined,
        dataset: 'dataset' in c ? c.dataset : undefined,
        connections: input.connections ?? {},
        datasets: input.datasets.map((d) => d.name),
      },
      issues,
    ),
  };
  let out: CompiledCheck | undefined;
  switch (c.kind) {
    case 'consistency': {
      const parents = compileSide(`${at}.parents`, c.parents, input, issues);
      const children = compileSide(`${at}.children`, c.children, input, issues);
      if (c.connection === undefined && (parents.kind === 'sql' || children.kind === 'sql')) {
        issues.push({
          path: `${at}.connection`,
          expected: `a connection name (one of: ${Object.keys(input.connections ?? {}).join(', ') || 'none configured under `connections`'})`,
          found: 'none',
          message: `check "${name}" reads a table or query: name the connection it is in`,
        });
      }
      out = {
        ...base,
        kind: 'consistency',
        connection: c.connection,
        parents,
        children,
        timeFormat: c.timeFormat ?? 'timestamp',
        lateAfterMs: ms(c.lateAfter, 5 * 60_000),
      };
      break;
    }
    case 'sql':
      if (c.returns !== 'score' && c.total !== undefined && !/\bselect\b/i.test(c.total)) {
        issues.push({
          path: `${at}.total`,
          expected: 'a SELECT returning one row with one number',
          found: JSON.stringify(c.total),
          message: '`total` is a query counting the whole the findings are part of',
        });
      }
      out = {
        ...base,
        kind: 'sql',
        connection: c.connection,
        query: c.query,
        returns: c.returns ?? 'findings',
        key: c.key ?? 'key',
        total: c.total,
      };
      break;
    case 'volume': {
      if ((c.table === undefined) === (c.query === undefined)) {
        issues.push({
          path: at,
          expected: 'exactly one of `table` or `query`',
          found: c.table === undefined ? 'neither' : 'both',
          message: 'a volume check counts the rows of one table or query',
        });
      }
      const e = c.expect;
      if (e.trailing === undefined && e.min === undefined && e.max === undefined) {
        issues.push({
          path: `${at}.expect`,
          expected: '`min` and/or `max`, or `trailing` (buckets to average)',
          found: 'none of them',
          message: 'a volume check needs an expected range or a trailing average to compare with',
        });
      }
      out = {
        ...base,
        kind: 'volume',
        connection: c.connection,
        table: c.table,
        query: c.query,
        time: c.time,
        where: c.where,
        timeFormat: c.timeFormat ?? 'timestamp',
        bucketMs: ms(c.bucket, 3_600_000),
        expect: { min: e.min, max: e.max, trailing: e.trailing, tolerance: e.tolerance ?? 50 },
      };
      break;
    }
    case 'freshness':
    case 'gaps':
      if (!input.datasets.some((d) => d.name === c.dataset)) {
        issues.push({
          path: `${at}.dataset`,
          expected: `one of the datasets: ${input.datasets.map((d) => d.name).join(', ') || '(none configured)'}`,
          found: JSON.stringify(c.dataset),
          message: `check "${name}" names a dataset that is not configured`,
        });
      }
      out = { ...base, kind: c.kind, dataset: c.dataset };
      break;
  }
  return issues.length > before ? undefined : out;
}

function compileSide(
  at: string,
  s: ConsistencySideConfig,
  input: CompileChecksInput,
  issues: ConfigIssue[],
): CompiledCheckSide {
  const set = (['table', 'query', 'dataset'] as const).filter((k) => s[k] !== undefined);
  if (set.length !== 1) {
    issues.push({
      path: at,
      expected: 'exactly one of `table`, `query` or `dataset`',
      found: set.length === 0 ? 'none' : set.join(' and '),
      message: 'each side of a consistency check is one table, one query or one gapwarden dataset',
    });
  }
  if (s.dataset !== undefined) return compileDatasetSide(at, { ...s, dataset: s.dataset }, input, issues);
  for (const field of ['key', 'time'] as const) {
    if (!SQL_IDENTIFIER.test(s[field])) {
      issues.push({
        path: `${at}.${field}`,
        expected: 'a plain identifier (letters, digits and _, optionally table.column)',
        found: JSON.stringify(s[field]),
        message: `the ${field} column of a table or query side is placed in SQL: name a column`,
      });
    }
  }
  if (s.where !== undefined && typeof s.where !== 'string') {
    issues.push({
      path: `${at}.where`,
      expected: 'a SQL predicate such as "status = \'SUCCESS\'"',
      found: 'an object',
      message: 'field/value matches are for dataset sides; a table or query side filters with SQL',
    });
  }
  return {
    kind: 'sql',
    table: s.table,
    query: s.query,
    key: s.key,
    time: s.time,
    where: typeof s.where === 'string' ? s.where : undefined,
  };
}

function compileDatasetSide(
  at: string,
  s: ConsistencySideConfig & { dataset: string },
  input: CompileChecksInput,
  issues: ConfigIssue[],
): CompiledDatasetSide {
  const dataset = input.datasets.find((d) => d.name === s.dataset);
  if (!dataset) {
    issues.push({
      path: `${at}.dataset`,
      expected: `one of the datasets: ${input.datasets.map((d) => d.name).join(', ') || '(none configured)'}`,
      found: JSON.stringify(s.dataset),
      message: 'a dataset side names a dataset that is not configured',
    });
  }
  if (s.key === '$ingestedAt') {
    issues.push({
      path: `${at}.key`,
      expected: 'a payload field or `$partition`',
      found: '"$ingestedAt"',
      message: '`$ingestedAt` is a time, not a key',
    });
  }
  if (s.time === '$partition' && dataset && dataset.partitioning.kind !== 'calendar') {
    issues.push({
      path: `${at}.time`,
      expected: 'a payload field holding a time, or `$ingestedAt`',
      found: '"$partition"',
      message: `dataset "${dataset.name}" is partitioned by a sequence: its partitions have no time`,
    });
  }
  if (typeof s.where === 'string') {
    issues.push({
      path: `${at}.where`,
      expected: 'payload fields and values, e.g. { status: SUCCESS }',
      found: 'a SQL predicate',
      message: "a dataset side is read from gapwarden's store, not with SQL: match payload fields instead",
    });
  }
  const match: Record<string, (string | number | boolean | null)[]> = {};
  if (s.where !== undefined && typeof s.where !== 'string') {
    for (const [field, v] of Object.entries(s.where)) match[field] = Array.isArray(v) ? v : [v];
  }
  return { kind: 'dataset', dataset: s.dataset, key: s.key, time: s.time, match };
}

function compileScale(at: string, c: CheckConfig, issues: ConfigIssue[]): CompiledScoreScale {
  const scale = {
    healthy: c.health?.healthy ?? 95,
    degraded: c.health?.degraded ?? 80,
    low: c.levels?.low ?? 95,
    medium: c.levels?.medium ?? 80,
    high: c.levels?.high ?? 50,
  };
  if (scale.degraded > scale.healthy) {
    issues.push({
      path: `${at}.health`,
      expected: 'degraded ≤ healthy',
      found: `healthy ${scale.healthy}, degraded ${scale.degraded}`,
      message: 'the degraded threshold must not be above the healthy one',
    });
  }
  if (!(scale.low >= scale.medium && scale.medium >= scale.high)) {
    issues.push({
      path: `${at}.levels`,
      expected: 'low ≥ medium ≥ high',
      found: `low ${scale.low}, medium ${scale.medium}, high ${scale.high}`,
      message: 'level thresholds must decrease from low to high',
    });
  }
  return scale;
}

function compileProfiles(
  at: string,
  c: CheckConfig,
  timezone: string,
  issues: ConfigIssue[],
): CompiledCheckProfile[] {
  return CHECK_PROFILES.map((name) => {
    const cfg = c.profiles?.[name];
    const def = PROFILE_DEFAULTS[name];
    const spec = cfg?.schedule === false ? undefined : (cfg?.schedule ?? def.schedule(timezone));
    let schedule: CompiledCheckProfile['schedule'];
    if (spec !== undefined) {
      try {
        schedule = compileSchedule(spec, { path: `${at}.profiles.${name}.schedule` });
      } catch (err) {
        if (err instanceof ConfigError) issues.push(...err.issues);
        else throw err;
      }
    }
    return {
      name,
      windowMs: ms(cfg?.window, def.windowMs),
      schedule,
      scheduleText: spec === undefined ? undefined : describeSchedule(spec),
    };
  });
}

function checkJob(check: CompiledCheck, profile: CompiledCheckProfile): CompiledJob {
  return {
    id: checkJobId(check.name, profile.name),
    kind: CHECK_JOB_KIND,
    dataset: undefined,
    source: undefined,
    description: `${check.kind} check ${check.name}, ${profile.name} profile`,
    schedule: profile.schedule!,
    scheduleText: profile.scheduleText ?? '',
    timezone: check.timezone,
    catchUp: { policy: 'once', max: 1 },
    overlap: 'skip',
    timeoutMs: 10 * 60_000,
    retries: { attempts: 0, initialMs: 1000, maxMs: 60_000 },
    paused: false,
    run: undefined,
    check: { name: check.name, profile: profile.name },
  };
}

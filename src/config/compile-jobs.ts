import { ConfigError, type ConfigIssue } from '../internal/errors.js';
import { compileSchedule } from '../scheduler/compile-schedule.js';
import type { ScheduleSpec } from '../scheduler/schedule-spec.js';
import type { CompiledDataset, CompiledJob, CompiledScheduler } from './compiled-config.js';
import type { GapwardenConfig } from './config-schema.js';
import { parseDuration } from './duration.js';
import type { JobConfig } from './jobs-schema.js';

const ms = (v: string | number | undefined, fallback: number) =>
  v === undefined ? fallback : (parseDuration(v) ?? fallback);

/** The id of the job that runs a dataset's `collect` schedule. */
export const collectJobId = (dataset: string) => `collect:${dataset}`;

/**
 * Compiles the jobs: one `collect:<dataset>` per dataset with `collect`, then
 * the `jobs` section (an entry with the same id replaces the implicit one).
 * Problems are pushed to `issues` with their field paths.
 */
export function compileJobs(
  config: GapwardenConfig,
  datasets: readonly CompiledDataset[],
  issues: ConfigIssue[],
): CompiledJob[] {
  const jobs = new Map<string, CompiledJob>();
  for (const ds of datasets) {
    if (!ds.collect) continue;
    const spec = { cron: ds.collect.schedule, timezone: ds.collect.timezone };
    const job = compileJob(
      collectJobId(ds.name),
      { kind: 'collect', dataset: ds.name, schedule: spec },
      '',
      datasets,
      issues,
    );
    if (job) jobs.set(job.id, { ...job, timeoutMs: 2 * 60_000 });
  }
  for (const [id, cfg] of Object.entries(config.jobs ?? {})) {
    const job = compileJob(id, cfg, `jobs.${id}`, datasets, issues);
    if (job) jobs.set(id, job);
  }
  return [...jobs.values()];
}

function compileJob(
  id: string,
  cfg: JobConfig,
  at: string,
  datasets: readonly CompiledDataset[],
  issues: ConfigIssue[],
): CompiledJob | undefined {
  const before = issues.length;
  const where = (field: string) => (at ? `${at}.${field}` : `datasets.${cfg.dataset}.collect.${field}`);
  const dataset = cfg.dataset === undefined ? undefined : datasets.find((d) => d.name === cfg.dataset);
  const needsDataset = cfg.kind === 'collect' || cfg.kind === 'backfill';
  if (cfg.dataset !== undefined && !dataset) {
    issues.push({
      path: where('dataset'),
      expected: `one of the datasets: ${datasets.map((d) => d.name).join(', ') || '(none configured)'}`,
      found: JSON.stringify(cfg.dataset),
      message: `job "${id}" names a dataset that is not configured`,
    });
  } else if (needsDataset && !dataset) {
    issues.push({
      path: where('dataset'),
      expected: 'a dataset name',
      found: 'nothing',
      message: `a ${cfg.kind} job works on one dataset`,
    });
  } else if (cfg.kind === 'collect' && dataset && dataset.sources.length === 0) {
    issues.push({
      path: where('dataset'),
      expected: 'a dataset with sources',
      found: JSON.stringify(cfg.dataset),
      message: 'a collect job needs a source to collect from',
    });
  }
  if (cfg.kind === 'function' && !cfg.run) {
    issues.push({
      path: where('run'),
      expected: 'a function ({ signal, dueAt, params, engine }) => ...',
      found: 'nothing',
      message: 'a function job needs `run` (TypeScript config or library mode)',
    });
  }
  if (cfg.kind !== 'function' && cfg.run) {
    issues.push({
      path: where('run'),
      expected: 'nothing',
      found: 'a function',
      message: `\`run\` only belongs to kind "function", not "${cfg.kind}"`,
    });
  }
  let schedule: CompiledJob['schedule'] | undefined;
  try {
    schedule = compileSchedule(cfg.schedule, { path: where('schedule') });
  } catch (err) {
    if (err instanceof ConfigError) issues.push(...err.issues);
    else throw err;
  }
  if (issues.length > before || !schedule) return undefined;
  const rules: ScheduleSpec[] = Array.isArray(cfg.schedule) ? cfg.schedule : [cfg.schedule];
  const first = rules[0] as { timezone?: string } | undefined;
  return {
    id,
    kind: cfg.kind,
    dataset: cfg.dataset,
    description: cfg.description,
    schedule,
    scheduleText: describeSchedule(cfg.schedule),
    timezone: first?.timezone ?? 'UTC',
    catchUp: { policy: cfg.catchUp ?? 'once', max: cfg.maxCatchUp ?? 100 },
    overlap: cfg.overlap ?? 'skip',
    timeoutMs: ms(cfg.timeout, 5 * 60_000),
    retries: {
      attempts: cfg.retries?.attempts ?? 0,
      initialMs: ms(cfg.retries?.initial, 1000),
      maxMs: ms(cfg.retries?.max, 60_000),
    },
    paused: cfg.paused ?? false,
    run: cfg.run,
  };
}

/** A schedule in one line: `cron 0 2 * * * (Asia/Shanghai) + every 10s 20:55–21:05`. */
export function describeSchedule(spec: ScheduleSpec): string {
  const rules = (Array.isArray(spec) ? spec : [spec]) as Record<string, unknown>[];
  return rules
    .map((r) => {
      const what = r.cron !== undefined ? `cron ${r.cron}` : `every ${r.every}`;
      const window = Array.isArray(r.between) ? ` ${r.between[0]}–${r.between[1]}` : '';
      const zone = r.timezone ? ` (${r.timezone})` : '';
      const jitter = r.jitter ? ` jitter ${r.jitter}` : '';
      return `${what}${window}${zone}${jitter}`;
    })
    .join(' + ');
}

export function compileScheduler(s: GapwardenConfig['scheduler']): CompiledScheduler {
  return {
    leaseMs: ms(s?.leaseTtl, 30_000),
    historyRetentionMs: ms(s?.historyRetention, 30 * 86_400_000),
    keepRuns: s?.keepRuns ?? 100,
    shutdownGraceMs: ms(s?.shutdownGrace, 30_000),
  };
}

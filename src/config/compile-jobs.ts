import { parseDuration } from '../domain/duration.js';
import { compileSchedule } from '../domain/schedule/compile-schedule.js';
import type { ScheduleSpec } from '../domain/schedule/schedule-spec.js';
import { ConfigError, type ConfigIssue } from '../internal/errors.js';
import type { CompiledDataset, CompiledJob, CompiledScheduler } from './compiled-config.js';
import type { GapwardenConfig } from './config-schema.js';
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
      {
        kind: 'collect',
        dataset: ds.name,
        schedule: spec,
        ...(ds.collect.source === undefined ? {} : { source: ds.collect.source }),
      },
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
  if (cfg.source !== undefined) checkSource(id, cfg, dataset, where('source'), issues);
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
    source: cfg.source,
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

/** A job's `source`: only for collect, one of its dataset's sources, and one that has a `latest` request. */
function checkSource(
  id: string,
  cfg: JobConfig,
  dataset: CompiledDataset | undefined,
  path: string,
  issues: ConfigIssue[],
): void {
  const found = JSON.stringify(cfg.source);
  if (cfg.kind !== 'collect') {
    issues.push({
      path,
      expected: 'nothing',
      found,
      message: `\`source\` names the one source a collect job calls; only a collect job has one (job "${id}" is ${cfg.kind})`,
    });
    return;
  }
  // No dataset, or one without sources: reported on `dataset` already.
  if (!dataset || dataset.sources.length === 0) return;
  const source = dataset.sources.find((s) => s.name === cfg.source);
  if (!source) {
    issues.push({
      path,
      expected: `one of the sources of dataset "${dataset.name}": ${dataset.sources.map((s) => s.name).join(', ')}`,
      found,
      message: `job "${id}" names a source that dataset "${dataset.name}" does not have`,
    });
  } else if (source.latest === undefined) {
    issues.push({
      path,
      expected: 'a source with a `latest` request',
      found,
      message: `source "${source.name}" has no \`latest\` request to collect with (it only serves backfill)`,
    });
  }
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

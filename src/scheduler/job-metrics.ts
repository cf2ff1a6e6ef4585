import { Counter, Histogram, type Registry } from 'prom-client';
import type { CompiledJob } from '../config/compiled-config.js';
import type { EventBus } from '../internal/events.js';

const OUTCOMES = ['ok', 'failed', 'timeout', 'cancelled', 'skipped'] as const;
/** Job runs: a quick collect to a long nightly ETL. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];
/** Start minus due time: timer slack and lease claims (ms) up to catch-up after downtime (hours). */
const LATENESS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 10, 60, 3600, 86400];

/**
 * The label naming a job. Not `job`: Prometheus attaches `job` (the scrape
 * job) to every series it stores and would rename ours to `exported_job`.
 */
export const JOB_LABEL = 'job_id';

/**
 * Scheduler metrics fed by `job:*` events; label sets of configured jobs start at zero.
 * `missedSoFar` holds the runs missed while down that the runner found before these
 * metrics existed (it checks at start, and `serve` may create metrics after that).
 * Returns the unsubscribe.
 */
export function registerJobMetrics(
  registry: Registry,
  events: EventBus,
  jobs: readonly CompiledJob[],
  missedSoFar: ReadonlyMap<string, number> = new Map(),
): () => void {
  const registers = [registry];
  const runs = new Counter({
    name: 'gapwarden_job_runs_total',
    help: 'Job runs in this process by outcome: ok, failed, timeout, cancelled (shutdown or lease lost), skipped (due while the previous run still ran).',
    labelNames: [JOB_LABEL, 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'gapwarden_job_run_duration_seconds',
    help: 'Duration of one job run, retries included.',
    labelNames: [JOB_LABEL] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const lateness = new Histogram({
    name: 'gapwarden_job_lateness_seconds',
    help: 'Start time minus due time of each run started (catch-up runs after downtime included).',
    labelNames: [JOB_LABEL] as const,
    buckets: LATENESS_BUCKETS,
    registers,
  });
  const missed = new Counter({
    name: 'gapwarden_job_missed_runs_total',
    help: 'Due times that passed while gapwarden was down, found at start (whether caught up or not).',
    labelNames: [JOB_LABEL] as const,
    registers,
  });
  for (const { id: job_id } of jobs) {
    missed.inc({ job_id }, missedSoFar.get(job_id) ?? 0);
    for (const outcome of OUTCOMES) runs.inc({ job_id, outcome }, 0);
  }
  // Events are synchronous: none can fall between reading `missedSoFar` above and subscribing here.
  const off = [
    events.on('job:started', (e) => lateness.observe({ job_id: e.job }, e.lateMs / 1000)),
    events.on('job:finished', (e) => {
      runs.inc({ job_id: e.job, outcome: e.state });
      duration.observe({ job_id: e.job }, e.ms / 1000);
    }),
    events.on('job:skipped', (e) => runs.inc({ job_id: e.job, outcome: 'skipped' })),
    events.on('job:missed', (e) => missed.inc({ job_id: e.job }, e.missed)),
  ];
  return () => {
    for (const o of off) o();
  };
}

import { Counter, Histogram, type Registry } from 'prom-client';
import type { CompiledJob } from '../../config/compiled-config.js';
import type { EventBus } from '../../internal/events.js';

const OUTCOMES = ['ok', 'failed', 'timeout', 'cancelled', 'skipped'] as const;
/** Job runs: a quick collect to a long nightly ETL. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600];
/** Start minus due time: timer slack and lease claims (ms) up to catch-up after downtime (hours). */
const LATENESS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 10, 60, 3600, 86400];

/** Scheduler metrics fed by `job:*` events; label sets of configured jobs start at zero. Returns the unsubscribe. */
export function registerJobMetrics(
  registry: Registry,
  events: EventBus,
  jobs: readonly CompiledJob[],
): () => void {
  const registers = [registry];
  const runs = new Counter({
    name: 'gapwarden_job_runs_total',
    help: 'Job runs in this process by outcome: ok, failed, timeout, cancelled (shutdown or lease lost), skipped (due while the previous run still ran).',
    labelNames: ['job', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'gapwarden_job_run_duration_seconds',
    help: 'Duration of one job run, retries included.',
    labelNames: ['job'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const lateness = new Histogram({
    name: 'gapwarden_job_lateness_seconds',
    help: 'Start time minus due time of each run started (catch-up runs after downtime included).',
    labelNames: ['job'] as const,
    buckets: LATENESS_BUCKETS,
    registers,
  });
  const missed = new Counter({
    name: 'gapwarden_job_missed_runs_total',
    help: 'Due times that passed while gapwarden was down, found at start (whether caught up or not).',
    labelNames: ['job'] as const,
    registers,
  });
  for (const { id: job } of jobs) {
    missed.inc({ job }, 0);
    for (const outcome of OUTCOMES) runs.inc({ job, outcome }, 0);
  }
  const off = [
    events.on('job:started', (e) => lateness.observe({ job: e.job }, e.lateMs / 1000)),
    events.on('job:finished', (e) => {
      runs.inc({ job: e.job, outcome: e.state });
      duration.observe({ job: e.job }, e.ms / 1000);
    }),
    events.on('job:skipped', (e) => runs.inc({ job: e.job, outcome: 'skipped' })),
    events.on('job:missed', (e) => missed.inc({ job: e.job }, e.missed)),
  ];
  return () => {
    for (const o of off) o();
  };
}

import { formatZoned } from '../domain/time-zone.js';
import type { JobView } from './job-runner.js';
import type { JobRun } from './store/job-store.js';

/** A job run as the CLI's `--json` and the HTTP API show it: times as ISO 8601 UTC. */
export interface JobRunSummary {
  id: number;
  dueAt: string;
  trigger: JobRun['trigger'];
  state: JobRun['state'];
  attempt: number;
  holder: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Start minus due time; for skipped runs, 0. */
  lateMs: number;
  error: string | null;
  records: number | null;
  detail: string | null;
}

/** A job as `gapwarden jobs` and `GET /api/jobs` show it. */
export interface JobSummary {
  id: string;
  kind: string;
  dataset: string | null;
  description: string | null;
  schedule: string;
  timezone: string;
  paused: boolean;
  running: number;
  /** Next due time in UTC, and the same instant in the job's time zone. */
  nextDueAt: string | null;
  nextDueLocal: string | null;
  lastRun: JobRunSummary | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function summarizeRun(run: JobRun): JobRunSummary {
  return {
    id: run.id,
    dueAt: iso(run.dueAt),
    trigger: run.trigger,
    state: run.state,
    attempt: run.attempt,
    holder: run.holder,
    startedAt: iso(run.startedAt),
    finishedAt: run.finishedAt === null ? null : iso(run.finishedAt),
    durationMs: run.finishedAt === null || run.state === 'skipped' ? null : run.finishedAt - run.startedAt,
    lateMs: run.state === 'skipped' ? 0 : Math.max(0, run.startedAt - run.dueAt),
    error: run.error,
    records: run.records,
    detail: run.detail,
  };
}

export function summarizeJob(view: JobView): JobSummary {
  const { job } = view;
  return {
    id: job.id,
    kind: job.kind,
    dataset: job.dataset ?? null,
    description: job.description ?? null,
    schedule: job.scheduleText,
    timezone: job.timezone,
    paused: view.paused,
    running: view.running,
    nextDueAt: view.nextDueAt === undefined ? null : iso(view.nextDueAt),
    nextDueLocal: view.nextDueAt === undefined ? null : formatZoned(job.timezone, view.nextDueAt),
    lastRun: view.lastRun ? summarizeRun(view.lastRun) : null,
  };
}

import { formatDuration } from '../domain/duration.js';
import { table } from '../internal/text-table.js';
import type { JobRunSummary, JobSummary } from './job-summary.js';

// The jobs module's tables for the terminal (`gapwarden jobs`, `gapwarden status`).

const local = (iso: string | null) =>
  iso === null ? '-' : iso.replace('T', ' ').replace(/(\d\d:\d\d:\d\d)([+-].*)$/, '$1 $2');

export function formatJobs(jobs: JobSummary[]): string {
  if (jobs.length === 0) return 'no jobs configured (add `collect` to a dataset or a `jobs` section)';
  return table(
    ['JOB', 'KIND', 'SCHEDULE', 'NEXT RUN (JOB ZONE)', 'NEXT RUN (UTC)', 'LAST RUN', 'STATE'],
    jobs.map((j) => [
      j.id,
      j.kind,
      j.schedule,
      j.paused ? 'paused' : `${local(j.nextDueLocal)} ${j.timezone}`,
      j.paused ? '-' : (j.nextDueAt?.replace('T', ' ').replace('.000Z', 'Z') ?? '-'),
      j.lastRun ? `${j.lastRun.state} ${j.lastRun.dueAt.replace('T', ' ').replace('.000Z', 'Z')}` : 'never',
      j.paused ? 'paused' : j.running > 0 ? 'running' : 'active',
    ]),
  );
}

export function formatRuns(job: string, runs: JobRunSummary[]): string {
  if (runs.length === 0) return `${job}: no runs yet`;
  return table(
    ['RUN', 'DUE (UTC)', 'TRIGGER', 'STATE', 'ATTEMPT', 'TOOK', 'LATE', 'RECORDS', 'DETAIL'],
    runs.map((r) => [
      String(r.id),
      r.dueAt.replace('T', ' ').replace('.000Z', 'Z'),
      r.trigger,
      r.state,
      String(r.attempt),
      r.durationMs === null ? '-' : formatDuration(r.durationMs),
      r.state === 'skipped' ? '-' : formatDuration(r.lateMs),
      r.records === null ? '-' : String(r.records),
      r.error ?? r.detail ?? '',
    ]),
  );
}

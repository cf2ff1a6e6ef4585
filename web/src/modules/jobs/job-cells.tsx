import { Fragment } from 'preact';
import type { JobRun, JobSummary, JobTrigger } from '../../api/types';
import { formatAgo } from '../../format';
import { datasetHref } from '../../route';
import { scheduleInWords } from '../../schedule-words';
import { formatMs, formatUntil, zoneAndUtc } from '../../zoned-time';
import { JobRunPill } from './job-run-pill';

export const TRIGGER: Record<JobTrigger, { text: string; title: string }> = {
  schedule: { text: 'scheduled', title: 'started at its due time' },
  'catch-up': { text: 'catch-up', title: 'fell due while gapwarden was down; run at start' },
  manual: { text: 'manual', title: 'started with Run now (or the CLI / API)' },
};

/** The dataset a job works on, linked; check and reconcile jobs without one cover every dataset. */
export function JobDataset({ job }: { job: JobSummary }) {
  if (job.dataset) return <a href={datasetHref(job.dataset)}>{job.dataset}</a>;
  const all = job.kind === 'check' || job.kind === 'reconcile';
  return <span class="muted nowrap">{all ? 'all datasets' : '–'}</span>;
}

/** The schedule as configured, and in plain words when it has a common shape. */
export function Schedule({ schedule }: { schedule: string }) {
  const words = scheduleInWords(schedule);
  return (
    <span class="schedule-text">
      <span class="mono">{schedule}</span>
      {words ? <span class="sub">{words}</span> : null}
    </span>
  );
}

/** "02:00 Asia/Shanghai · 18:00 UTC, in 3 h"; paused jobs say so instead. */
export function NextRun({ job, nowMs }: { job: JobSummary; nowMs: number }) {
  if (job.paused) {
    return (
      <span class="next-run">
        <span class="pill tone-warn" data-paused="true">
          paused
        </span>{' '}
        <span class="muted">no scheduled run until resumed</span>
      </span>
    );
  }
  if (job.nextDueAt === null) return <span class="muted">nothing due: the schedule has no more runs</span>;
  const at = Date.parse(job.nextDueAt);
  const parts = zoneAndUtc(at, job.timezone, nowMs);
  return (
    <span class="next-run" title={`${job.nextDueLocal ?? ''} (${job.timezone}) = ${job.nextDueAt}`}>
      {/* Wraps only between the zone's time and UTC's. */}
      {parts.map((part, i) => (
        <Fragment key={part}>
          {i > 0 ? ' · ' : ''}
          <span class="nowrap">
            {part}
            {i === parts.length - 1 ? <span class="muted">, {formatUntil(at, nowMs)}</span> : null}
          </span>
        </Fragment>
      ))}
    </span>
  );
}

/** How the last run went, when, and how long it took: "ok · 3 s ago · took 12 ms". */
export function LastRun({ run, nowMs }: { run: JobRun | null; nowMs: number }) {
  if (!run) return <span class="muted">not run yet</span>;
  const started = Date.parse(run.startedAt);
  const when =
    run.state === 'running'
      ? `started ${formatAgo((nowMs - started) / 1000)}`
      : formatAgo((nowMs - Date.parse(run.finishedAt ?? run.startedAt)) / 1000);
  const took = run.durationMs !== null ? ` · took ${formatMs(run.durationMs)}` : '';
  return (
    <span
      class="last-run"
      data-state={run.state}
      title={`run #${run.id}, due ${run.dueAt}, started ${run.startedAt}${run.holder ? ` by ${run.holder}` : ''}`}
    >
      <span class="nowrap">
        <JobRunPill state={run.state} />{' '}
        <span class="muted">
          {when}
          {took}
          {run.trigger !== 'schedule' ? ` · ${TRIGGER[run.trigger].text}` : ''}
        </span>
      </span>
      {run.error ? (
        <span class="run-error tone-bad" title={run.error}>
          {run.error}
        </span>
      ) : null}
    </span>
  );
}

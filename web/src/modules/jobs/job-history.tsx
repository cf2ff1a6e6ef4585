import { useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { JobRun, JobSummary } from '../../api/types';
import { useApp } from '../../app-store';
import { LiveIndicator } from '../../components/live-indicator';
import { formatCount } from '../../format';
import { usePoll } from '../../use-poll';
import { formatMs, formatWallTime, isUtcZone } from '../../zoned-time';
import { JobActionResult, JobButtons, useJobActions } from './job-actions';
import { JobDataset, LastRun, NextRun, Schedule, TRIGGER } from './job-cells';
import { JOBS_HREF } from './job-links';
import { JobRunPill } from './job-run-pill';

const PAGE_SIZE = 20;
/** Below this a run started "on time": the scheduler's own wake-up delay, not a problem. */
const LATE_MS = 1000;

interface TimeProps {
  timeZone: string;
  nowMs: number;
}

/** A due time in the job's zone, with UTC beneath it (the column head names the zone). */
function DueTime({ iso, timeZone, nowMs, seconds }: { iso: string; seconds: boolean } & TimeProps) {
  const at = Date.parse(iso);
  return (
    <span class="due" title={iso}>
      {formatWallTime(at, timeZone, nowMs, seconds)}
      {isUtcZone(timeZone) ? null : <span class="sub">{formatWallTime(at, 'UTC', nowMs, seconds)} UTC</span>}
    </span>
  );
}

function RunRow({ run, timeZone, nowMs, seconds }: { run: JobRun; seconds: boolean } & TimeProps) {
  const trigger = TRIGGER[run.trigger];
  const running = run.state === 'running';
  return (
    <tr data-run={run.id} data-state={run.state} data-trigger={run.trigger}>
      <td class="mono" title={run.holder ? `lease held by ${run.holder}` : undefined}>
        #{run.id}
      </td>
      <td>
        <DueTime iso={run.dueAt} timeZone={timeZone} nowMs={nowMs} seconds={seconds} />
      </td>
      <td title={trigger.title}>{trigger.text}</td>
      <td>
        <JobRunPill state={run.state} />
      </td>
      <td
        class={run.attempt > 1 ? 'tone-warn' : 'muted'}
        title={run.attempt > 1 ? 'retried, or taken over from a process that stopped' : undefined}
      >
        {run.attempt > 0 ? run.attempt : '–'}
      </td>
      <td>{running ? `${formatMs(nowMs - Date.parse(run.startedAt))}…` : formatMs(run.durationMs)}</td>
      <td class={run.lateMs >= LATE_MS ? 'tone-warn' : 'muted'}>
        {run.state === 'skipped' ? '–' : formatMs(run.lateMs)}
      </td>
      <td>{run.records === null ? <span class="muted">–</span> : formatCount(run.records)}</td>
      <td class="run-notes">
        {run.error ? <span class="tone-bad">{run.error}</span> : null}
        {run.detail ? <span class="muted">{run.detail}</span> : null}
      </td>
    </tr>
  );
}

function RunTable({ runs, timeZone, nowMs }: { runs: JobRun[] } & TimeProps) {
  // Every due time with seconds once one of them needs them (zone offsets are whole minutes).
  const seconds = runs.some((r) => new Date(r.dueAt).getUTCSeconds() !== 0);
  return (
    <div class="table-scroll">
      <table class="job-runs" data-testid="job-runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col" title={`due time in ${timeZone}, and in UTC`}>
              Due ({isUtcZone(timeZone) ? 'UTC' : timeZone})
            </th>
            <th scope="col">Trigger</th>
            <th scope="col">State</th>
            <th scope="col">Attempt</th>
            <th scope="col">Took</th>
            <th scope="col" title="how long after its due time the run started">
              Late
            </th>
            <th scope="col" title="records the run stored or changed">
              Records
            </th>
            <th scope="col">Error / detail</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <RunRow key={r.id} run={r} timeZone={timeZone} nowMs={nowMs} seconds={seconds} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function JobFacts({ job, nowMs }: { job: JobSummary; nowMs: number }) {
  return (
    <div class="tiles job-facts">
      <div class="tile">
        <div class="tile-label">Schedule</div>
        <div class="tile-value">
          <Schedule schedule={job.schedule} />
        </div>
        <span class="tile-sub">time zone {job.timezone}</span>
      </div>
      <div class="tile">
        <div class="tile-label">Next run</div>
        <div class="tile-value" data-testid="next-run">
          <NextRun job={job} nowMs={nowMs} />
        </div>
      </div>
      <div class="tile">
        <div class="tile-label">Last run</div>
        <div class="tile-value" data-testid="last-run">
          <LastRun run={job.lastRun} nowMs={nowMs} />
        </div>
      </div>
      <div class="tile">
        <div class="tile-label">Dataset</div>
        <div class="tile-value">
          <JobDataset job={job} />
        </div>
      </div>
    </div>
  );
}

/** One job: its schedule and buttons, and its runs newest first, live on the first page. */
export function JobHistoryPage({ id }: { id: string }) {
  const { api, live } = useApp();
  const jobs = usePoll(() => api.jobs(), 'jobs', { live, refreshOnJob: id });
  // Cursors of the pages above the current one; the last entry is the current page's `before`.
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const before = cursors[cursors.length - 1] ?? null;
  const runs = usePoll(() => api.jobRuns(id, { limit: PAGE_SIZE, before }), `${id}|${before}`, {
    live,
    // Only the newest page changes as runs start and finish.
    ...(before === null ? { refreshOnJob: id } : {}),
  });
  const actions = useJobActions(id, () => {
    jobs.refresh();
    runs.refresh();
  });
  const polledJob = jobs.data?.find((j) => j.id === id);
  const job = polledJob ? actions.current(polledJob, jobs.requestedAt) : undefined;
  const now = Date.now();

  const missing =
    (runs.error instanceof ApiError && runs.error.status === 404) || (jobs.data !== undefined && !polledJob);
  if (missing) {
    return (
      <div class="notice">
        <p>{runs.error?.message ?? `There is no job named "${id}".`}</p>
        <a href={JOBS_HREF}>← All jobs</a>
      </div>
    );
  }
  const page = runs.data?.runs;
  const oldest = page?.[page.length - 1];
  return (
    <div class="job-page" data-job={id} data-paused={job ? String(job.paused) : undefined}>
      <nav class="crumbs">
        <a href={JOBS_HREF}>← All jobs</a>
      </nav>
      <div class="title-row">
        <h1>{id}</h1>
        {job ? (
          <span class="muted">
            {job.kind} job{job.description ? ` · ${job.description}` : ''}
          </span>
        ) : null}
        <LiveIndicator polled={runs} live={live.state} onlyProblems />
      </div>
      {job ? (
        <>
          <JobFacts job={job} nowMs={now} />
          <div class="job-actions-bar">
            <JobButtons job={job} actions={actions} />
            <JobActionResult id={id} actions={actions} />
          </div>
        </>
      ) : (
        <p class="muted">{jobs.error ? jobs.error.message : 'Loading…'}</p>
      )}
      <section class="panel" aria-labelledby="job-runs-title">
        <div class="panel-head">
          <h2 id="job-runs-title">{before === null ? 'Runs, newest first' : 'Older runs'}</h2>
          <div class="pager">
            {cursors.length > 1 ? (
              <>
                <button type="button" class="button-quiet" onClick={() => setCursors([null])}>
                  Newest
                </button>
                <button type="button" class="button-quiet" onClick={() => setCursors(cursors.slice(0, -1))}>
                  ← Newer
                </button>
              </>
            ) : null}
            <button
              type="button"
              class="button-quiet"
              disabled={!page || page.length < PAGE_SIZE || !oldest}
              onClick={() => oldest && setCursors([...cursors, oldest.id])}
            >
              Older →
            </button>
          </div>
        </div>
        {!page ? (
          <p class="muted">{runs.error ? `Cannot load the runs: ${runs.error.message}` : 'Loading…'}</p>
        ) : page.length === 0 ? (
          <p class="muted">{before === null ? 'This job has not run yet.' : 'No older runs.'}</p>
        ) : (
          <RunTable runs={page} timeZone={job?.timezone ?? 'UTC'} nowMs={now} />
        )}
      </section>
    </div>
  );
}

import type { JobSummary } from '../../api/types';
import { useApp } from '../../app-store';
import { LiveIndicator } from '../../components/live-indicator';
import { usePoll } from '../../use-poll';
import { JobActionResult, JobButtons, useJobActions } from './job-actions';
import { JobDataset, LastRun, NextRun, Schedule } from './job-cells';
import { jobHref } from './job-links';

const COLUMNS = 6;

/** One job: what it does, when it runs next, how its last run went, and its buttons. */
function JobRow({
  job: polled,
  requestedAt,
  nowMs,
  onChanged,
}: {
  job: JobSummary;
  requestedAt: number | undefined;
  nowMs: number;
  onChanged: () => void;
}) {
  const actions = useJobActions(polled.id, onChanged);
  const job = actions.current(polled, requestedAt);
  const { state } = actions;
  const message =
    state.kind === 'error' ||
    state.kind === 'needs-token' ||
    (state.kind === 'done' && state.action === 'run');
  return (
    <>
      <tr
        class={`job-row${job.paused ? ' job-paused' : ''}`}
        data-job={job.id}
        data-paused={String(job.paused)}
      >
        <th scope="row" data-label="Job">
          <div>
            <a class="job-link mono" href={jobHref(job.id)} title="run history">
              {job.id}
            </a>
            <span class="dataset-sub">
              {job.kind}
              {job.description ? ` · ${job.description}` : ''}
            </span>
          </div>
        </th>
        <td data-label="Dataset">
          <JobDataset job={job} />
        </td>
        <td data-label="Schedule" class="schedule">
          <Schedule schedule={job.schedule} />
        </td>
        <td data-label="Next run" data-testid="next-run">
          <NextRun job={job} nowMs={nowMs} />
        </td>
        <td data-label="Last run" data-testid="last-run">
          <LastRun run={job.lastRun} nowMs={nowMs} />
        </td>
        <td data-label="Actions">
          <JobButtons job={job} actions={actions} />
        </td>
      </tr>
      {message ? (
        <tr class="job-message-row" data-job-message={job.id}>
          <td colSpan={COLUMNS}>
            <JobActionResult id={job.id} actions={actions} showHistoryLink />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** Every scheduled job (collectors and the config's jobs), live. */
export function JobsPage() {
  const { api, live } = useApp();
  const jobs = usePoll(() => api.jobs(), 'jobs', { live, refreshOnJob: '*' });
  const list = jobs.data;
  const now = Date.now();
  return (
    <section class="panel" aria-labelledby="jobs-title">
      <div class="panel-head">
        <h1 id="jobs-title">Jobs</h1>
        <LiveIndicator polled={jobs} live={live.state} onlyProblems />
      </div>
      <p class="intro muted">
        Scheduled work: the collector of each dataset (<code>collect:&lt;dataset&gt;</code>) and the jobs in
        the config. Times are shown in the job's time zone and in UTC. Open a job for its run history; Run
        now, Pause and Resume need the API token.
      </p>
      {!list ? (
        <p class="muted">{jobs.error ? `Cannot load the jobs: ${jobs.error.message}` : 'Loading jobs…'}</p>
      ) : list.length === 0 ? (
        <p class="muted">
          No jobs: add <code>collect</code> to a dataset or a <code>jobs</code> section to the config.
        </p>
      ) : (
        <div class="table-scroll">
          <table class="jobs" data-testid="jobs">
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Dataset</th>
                <th scope="col">Schedule</th>
                <th scope="col">Next run</th>
                <th scope="col">Last run</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((j) => (
                <JobRow
                  key={j.id}
                  job={j}
                  requestedAt={jobs.requestedAt}
                  nowMs={now}
                  onChanged={jobs.refresh}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

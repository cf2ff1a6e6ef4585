import type { CheckSummary } from '../../api/types';
import { useApp } from '../../app-store';
import { LiveIndicator } from '../../components/live-indicator';
import { formatCount, formatTime } from '../../format';
import { usePoll } from '../../use-poll';
import { CheckLevel, CheckStatus, checkHref, formatScore } from './check-cells';
import { RunCheckButton } from './run-check-button';

function target(check: CheckSummary): string {
  return 'connection' in check.target
    ? `connection ${check.target.connection}`
    : `dataset ${check.target.dataset}`;
}

function CheckRow({ check, onChanged }: { check: CheckSummary; onChanged: () => void }) {
  const run = check.lastRun;
  return (
    <tr data-check={check.name}>
      <th scope="row" data-label="Check">
        <a href={checkHref(check.name)}>{check.name}</a>
        {check.description ? <span class="dataset-sub">{check.description}</span> : null}
        <span class="dataset-sub">
          {target(check)}
          {check.repair ? ` · ${check.repair} repair` : ''}
        </span>
      </th>
      <td data-label="Kind">{check.kind}</td>
      <td data-label="Last run" data-testid="last-run">
        {run ? (
          <>
            <time dateTime={run.startedAt}>{formatTime(Date.parse(run.startedAt))}</time>
            <span class="dataset-sub">
              {run.profile} · {run.trigger}
            </span>
          </>
        ) : (
          <span class="muted">never</span>
        )}
      </td>
      <td data-label="Status">
        <CheckStatus run={run} />
        {run?.error ? <span class="dataset-sub tone-bad">{run.error}</span> : null}
      </td>
      <td data-label="Level">{run ? <CheckLevel level={run.level} /> : <span class="muted">–</span>}</td>
      <td data-label="Score" data-testid="score">
        {run ? formatScore(run.score) : '–'}
      </td>
      <td data-label="Findings" data-testid="findings">
        {run ? (
          <>
            {formatCount(run.findings)}
            <span class="dataset-sub">of {formatCount(run.total)}</span>
          </>
        ) : (
          '–'
        )}
      </td>
      <td data-label="Actions">
        <RunCheckButton name={check.name} onRan={onChanged} />
      </td>
    </tr>
  );
}

/** Every configured check with its last run (time, profile, status, level, score, findings) and Run now. */
export function ChecksPage() {
  const { api, live } = useApp();
  const checks = usePoll(() => api.checks(), 'checks', { live, refreshOnJob: '*' });
  const list = checks.data;
  return (
    <section class="panel" aria-labelledby="checks-title">
      <div class="panel-head">
        <h1 id="checks-title">Checks</h1>
        <LiveIndicator polled={checks} live={live.state} onlyProblems />
      </div>
      {!list ? (
        <p class="muted">
          {checks.error ? `Cannot load the checks: ${checks.error.message}` : 'Loading checks…'}
        </p>
      ) : list.length === 0 ? (
        <p class="muted">
          No checks configured (<code>checks:</code> in the config).
        </p>
      ) : (
        <div class="table-scroll">
          <table class="jobs" data-testid="checks">
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Kind</th>
                <th scope="col">Last run</th>
                <th scope="col">Status</th>
                <th scope="col">Level</th>
                <th scope="col">Score</th>
                <th scope="col">Findings</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <CheckRow key={c.name} check={c} onChanged={checks.refresh} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

import { useState } from 'preact/hooks';
import type { CheckRun, CheckSummary, CheckTrendDay } from '../../api/types';
import { useApp } from '../../app-store';
import { formatCount, formatDuration, formatTime, previewJson } from '../../format';
import { usePoll } from '../../use-poll';
import { CheckLevel, CheckStatus, checksHref, formatDelay, formatScore } from './check-cells';
import { RepairJournal } from './repair-journal';
import { RepairPanel } from './repair-panel';
import { RunCheckButton } from './run-check-button';
import { ScoreChart, type ScorePoint } from './score-chart';

const TREND_DAYS = 30;
const RECENT_RUNS = 30;
/** Findings listed before "Show all": the repair and the journal stay in view. */
const SAMPLE_SHOWN = 10;

function dayPoints(days: readonly CheckTrendDay[]): ScorePoint[] {
  return days.map((d) => ({
    id: d.day,
    label: d.day,
    score: d.avgScore,
    min: d.minScore,
    title: `${d.day}: average ${formatScore(d.avgScore)}, lowest ${formatScore(d.minScore)}, ${formatCount(d.runs)} runs${d.errors > 0 ? `, ${d.errors} errors` : ''}`,
  }));
}

function runPoints(runs: readonly CheckRun[]): ScorePoint[] {
  return [...runs].reverse().map((r) => ({
    id: String(r.id),
    label: formatTime(Date.parse(r.startedAt)),
    score: r.score,
    title: `run #${r.id} ${formatTime(Date.parse(r.startedAt))} (${r.profile}, ${r.trigger}): ${r.status}, score ${formatScore(r.score)}, ${formatCount(r.findings)} findings${r.error ? `: ${r.error}` : ''}`,
  }));
}

/** The last run: its window, score, delay figures and a sample of its findings. */
function LastRun({ run }: { run: CheckRun }) {
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? run.sample : run.sample.slice(0, SAMPLE_SHOWN);
  return (
    <section aria-labelledby="last-run-title" data-testid="check-last-run">
      <h2 id="last-run-title">Last run</h2>
      <p>
        #{run.id} <time dateTime={run.startedAt}>{formatTime(Date.parse(run.startedAt))}</time> ·{' '}
        {run.profile} · {run.trigger} · window {formatTime(Date.parse(run.from))} –{' '}
        {formatTime(Date.parse(run.to))} · took {formatDuration(run.durationMs)}
      </p>
      <p>
        <CheckStatus run={run} /> <CheckLevel level={run.level} /> score{' '}
        <strong data-testid="last-score">{formatScore(run.score)}</strong> ·{' '}
        <strong data-testid="last-findings">{formatCount(run.findings)}</strong> findings of{' '}
        {formatCount(run.total)} checked
      </p>
      {run.error ? <p class="tone-bad">{run.error}</p> : null}
      {run.delay ? (
        <dl class="check-delay" data-testid="check-delay">
          <div>
            <dt>p50 delay</dt>
            <dd>{formatDelay(run.delay.p50Ms)}</dd>
          </div>
          <div>
            <dt>p95 delay</dt>
            <dd>{formatDelay(run.delay.p95Ms)}</dd>
          </div>
          <div>
            <dt>max delay</dt>
            <dd>{formatDelay(run.delay.maxMs)}</dd>
          </div>
          <div>
            <dt>late</dt>
            <dd>{formatCount(run.delay.late)}</dd>
          </div>
        </dl>
      ) : null}
      {run.sample.length > 0 ? (
        <>
          <h3>
            Findings{' '}
            <span class="muted">
              (sample of {formatCount(run.sample.length)}
              {run.findings > run.sample.length ? ` of ${formatCount(run.findings)}` : ''})
            </span>
          </h3>
          <div class="table-scroll">
            <table class="jobs" data-testid="findings-sample">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Fields</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((f) => (
                  <tr key={f.key} data-key={f.key}>
                    <th scope="row" class="mono">
                      {f.key}
                    </th>
                    <td class="mono">
                      {Object.entries(f.fields)
                        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : previewJson(v, 60)}`)
                        .join(' ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {shown.length < run.sample.length ? (
            <button type="button" class="button-small button-quiet" onClick={() => setShowAll(true)}>
              Show all {formatCount(run.sample.length)}
            </button>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function CheckView({
  check,
  onChanged,
  runs,
  days,
}: {
  check: CheckSummary;
  onChanged: () => void;
  runs: CheckRun[] | undefined;
  days: CheckTrendDay[] | undefined;
}) {
  return (
    <>
      <h1 id="check-title">
        {check.name} <CheckStatus run={check.lastRun} />
      </h1>
      {check.description ? <p>{check.description}</p> : null}
      <p class="muted">
        {check.kind} ·{' '}
        {'connection' in check.target
          ? `connection ${check.target.connection}`
          : `dataset ${check.target.dataset}`}{' '}
        · healthy at {check.thresholds.healthy}+, degraded at {check.thresholds.degraded}+ ·{' '}
        {check.profiles.map((p) => `${p.name} ${p.schedule ?? 'on demand'}`).join(', ')} · {check.timezone}
      </p>
      <RunCheckButton name={check.name} onRan={onChanged} />
      <h2>Score trend</h2>
      <div class="check-charts">
        {days && days.length > 0 ? (
          <ScoreChart
            points={dayPoints(days)}
            thresholds={check.thresholds}
            label={`Score per day, last ${TREND_DAYS} days (average; faint: lowest)`}
            testId="trend-days"
          />
        ) : (
          <p class="muted">{days ? 'No runs in the last days.' : 'Loading the trend…'}</p>
        )}
        {runs && runs.length > 0 ? (
          <ScoreChart
            points={runPoints(runs)}
            thresholds={check.thresholds}
            label={`Recent runs (last ${Math.min(runs.length, RECENT_RUNS)})`}
            testId="trend-runs"
          />
        ) : null}
      </div>
      {check.lastRun ? <LastRun run={check.lastRun} /> : <p class="muted">Not run yet: press Run now.</p>}
    </>
  );
}

/** One check: its score trend, last run (findings, delays), repair preview and confirm, and the journal. */
export function CheckPage({ name }: { name: string }) {
  const { api, live } = useApp();
  const opts = { live, refreshOnJob: '*' };
  const checks = usePoll(() => api.checks(), `check:${name}`, opts);
  const trend = usePoll(() => api.checkTrend(name, TREND_DAYS), `check-trend:${name}`, opts);
  const runs = usePoll(() => api.checkRuns(name, RECENT_RUNS), `check-runs:${name}`, opts);
  const journal = usePoll(() => api.repairRuns(name), `repairs:${name}`);
  const refresh = () => {
    checks.refresh();
    trend.refresh();
    runs.refresh();
    journal.refresh();
  };
  const check = checks.data?.find((c) => c.name === name);
  return (
    <section class="panel check-page" aria-labelledby="check-title" data-testid="check-page">
      <p>
        <a href={checksHref}>← Checks</a>
      </p>
      {!checks.data ? (
        <p class="muted">{checks.error ? `Cannot load the checks: ${checks.error.message}` : 'Loading…'}</p>
      ) : !check ? (
        <p class="tone-bad">No check named "{name}".</p>
      ) : (
        <>
          <CheckView check={check} onChanged={refresh} runs={runs.data} days={trend.data} />
          {check.repair ? <RepairPanel name={name} kind={check.repair} onRepaired={refresh} /> : null}
          <h2>Repair journal</h2>
          {journal.data ? (
            <RepairJournal runs={journal.data} onChanged={refresh} />
          ) : (
            <p class="muted">{journal.error ? journal.error.message : 'Loading…'}</p>
          )}
        </>
      )}
    </section>
  );
}

import { ApiError } from '../api/client';
import { useApp } from '../app-store';
import { usePoll } from '../use-poll';
import { ActivityChart } from './activity-chart';
import { BackfillForm } from './backfill-form';
import { BackfillRuns } from './backfill-runs';
import { DatasetSummary } from './dataset-summary';
import { GapActivity } from './gap-list';
import { Heatmap } from './heatmap';
import { LiveIndicator } from './live-indicator';
import { RecordTable } from './record-table';
import { StatusBadge } from './status-badge';

/** One dataset: its numbers, completeness heatmap, activity chart, gaps, backfills and recent records. */
export function DatasetPage({ name }: { name: string }) {
  const { api, live } = useApp();
  const poll = { live, refreshOn: name };
  const detail = usePoll(() => api.dataset(name), name, poll);
  const gaps = usePoll(() => api.gaps(name, 100), name, poll);
  const runs = usePoll(() => api.backfillRuns(name, 10), name, poll);
  const now = Date.now();

  if (detail.error instanceof ApiError && detail.error.status === 404) {
    return (
      <div class="notice">
        <p>{detail.error.message}</p>
        <a href="#/">← All datasets</a>
      </div>
    );
  }
  const d = detail.data;
  return (
    <div class="dataset-page" data-dataset={name}>
      <nav class="crumbs">
        <a href="#/">← All datasets</a>
      </nav>
      <div class="title-row">
        <h1>{name}</h1>
        {d ? <StatusBadge status={d.dataset.status} /> : null}
        {d ? <span class="muted">{d.dataset.kind} dataset</span> : null}
        <LiveIndicator polled={detail} live={live.state} onlyProblems />
      </div>
      {d && d.dataset.reasons.length > 0 ? (
        <ul class="reasons reasons-wide">
          {d.dataset.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      ) : null}
      {d ? (
        <DatasetSummary detail={d} nowMs={now} />
      ) : (
        <p class="muted">{detail.error ? detail.error.message : 'Loading…'}</p>
      )}
      <Heatmap name={name} kind={d?.dataset.kind} />
      <ActivityChart name={name} />
      <div class="columns">
        <GapActivity name={name} open={gaps} live={live} />
        <section class="panel" aria-labelledby="backfill-title">
          <h2 id="backfill-title">Backfill</h2>
          {d ? (
            <BackfillForm
              dataset={d.dataset}
              onStarted={() => {
                runs.refresh();
                gaps.refresh();
              }}
            />
          ) : null}
        </section>
      </div>
      <section class="panel" aria-labelledby="runs-title">
        <h2 id="runs-title">Backfill runs</h2>
        {runs.data ? (
          <BackfillRuns runs={runs.data} nowMs={now} />
        ) : (
          <p class="muted">{runs.error ? runs.error.message : 'Loading…'}</p>
        )}
      </section>
      <RecordTable name={name} />
    </div>
  );
}

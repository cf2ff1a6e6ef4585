import type { BackfillRun } from '../api/types';
import { formatCount, formatDuration, formatRange, formatTime } from '../format';

const TRIGGER: Record<BackfillRun['trigger'], string> = {
  auto: 'gap found',
  manual: 'manual',
  startup: 'at start',
};

/** The run's partitions; ordinals only for a dataset the server no longer knows. */
function range(run: BackfillRun): string {
  if (run.from !== null && run.to !== null) return formatRange(run.from, run.to);
  return run.fromOrdinal === run.toOrdinal
    ? `ordinal ${run.fromOrdinal}`
    : `ordinals ${run.fromOrdinal} – ${run.toOrdinal}`;
}

function outcome(run: BackfillRun, nowMs: number) {
  if (run.finishedAt === null) {
    const done = run.filled + run.failed + run.notFound;
    return (
      <span class="pill tone-info">
        running {done}/{run.requested} · {formatDuration(nowMs - run.startedAt)}
      </span>
    );
  }
  const tone = run.failed > 0 ? 'bad' : run.notFound > 0 ? 'warn' : 'good';
  return <span class={`pill tone-${tone}`}>done in {formatDuration(run.finishedAt - run.startedAt)}</span>;
}

/** Backfill runs with their report: what was filled, what failed, what the source does not have. */
export function BackfillRuns({ runs, nowMs }: { runs: BackfillRun[]; nowMs: number }) {
  if (runs.length === 0) return <p class="muted">No backfill has run yet.</p>;
  return (
    <div class="table-scroll">
      <table class="runs" data-testid="runs">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Why</th>
            <th scope="col">Range</th>
            <th scope="col" title="partitions requested">
              Asked
            </th>
            <th scope="col">Filled</th>
            <th scope="col">Failed</th>
            <th scope="col" title="the source confirmed these do not exist: now known missing">
              Not at source
            </th>
            <th scope="col">Started</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-run={r.id}>
              <td class="mono">#{r.id}</td>
              <td>{TRIGGER[r.trigger]}</td>
              <td class="mono" data-testid="run-range">
                {range(r)}
              </td>
              <td>{formatCount(r.requested)}</td>
              <td class={r.filled > 0 ? 'tone-good' : ''}>{formatCount(r.filled)}</td>
              <td class={r.failed > 0 ? 'tone-bad' : ''}>{formatCount(r.failed)}</td>
              <td class={r.notFound > 0 ? 'tone-warn' : ''}>{formatCount(r.notFound)}</td>
              <td>{formatTime(r.startedAt, nowMs)}</td>
              <td>{outcome(r, nowMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

import type { BackfillRun, PartitionLabel } from '../api/types';
import { formatCount, formatDuration, formatRange, formatTime } from '../format';

type OrdinalLabeler = (ordinal: number) => PartitionLabel;

const TRIGGER: Record<BackfillRun['trigger'], string> = {
  auto: 'gap found',
  manual: 'manual',
  startup: 'at start',
};

function range(run: BackfillRun, labelOf: OrdinalLabeler | undefined): string {
  if (run.from !== undefined && run.to !== undefined) return formatRange(run.from, run.to);
  if (labelOf) return formatRange(labelOf(run.fromOrdinal), labelOf(run.toOrdinal));
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
export function BackfillRuns({
  runs,
  nowMs,
  labelOf,
}: {
  runs: BackfillRun[];
  nowMs: number;
  /** Names partitions when the API gives only ordinals (see sequenceLabeler). */
  labelOf?: OrdinalLabeler | undefined;
}) {
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
              <td class="mono">{range(r, labelOf)}</td>
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

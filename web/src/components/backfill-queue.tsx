import type { DatasetStatus } from '../api/types';

/** The backfill queue of a dataset in words: "idle", or "2 pending · 1 running · 1 failed". */
export function BackfillQueue({ backfill }: { backfill: DatasetStatus['backfill'] }) {
  const { pending, running, failed } = backfill;
  if (pending + running + failed === 0) return <span class="muted">idle</span>;
  return (
    <span class="queue">
      {pending > 0 ? <span class="tone-warn">{pending} pending</span> : null}
      {running > 0 ? <span class="tone-info">{running} running</span> : null}
      {failed > 0 ? <span class="tone-bad">{failed} failed</span> : null}
    </span>
  );
}

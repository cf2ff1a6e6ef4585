import type { DatasetStatus } from '../api/types';
import { formatAgo, formatTime } from '../format';

const TONE: Record<DatasetStatus['freshness'], string> = {
  ok: 'good',
  warn: 'warn',
  error: 'bad',
  unknown: 'muted',
};

/** Time since the last new record ("12 s ago"), coloured by the dataset's freshness thresholds. */
export function Freshness({ dataset }: { dataset: DatasetStatus }) {
  const title =
    dataset.lastInsertAt === null
      ? 'no record stored yet'
      : `last new record stored at ${formatTime(dataset.lastInsertAt)}${dataset.lastSource ? ` from ${dataset.lastSource}` : ''}`;
  return (
    <span
      class={`freshness tone-${TONE[dataset.freshness]}`}
      title={title}
      data-freshness={dataset.freshness}
    >
      {formatAgo(dataset.freshnessSeconds)}
    </span>
  );
}

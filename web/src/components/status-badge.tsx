import type { DatasetHealth } from '../api/types';

const LABEL: Record<DatasetHealth, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  unhealthy: 'Unhealthy',
};

/** The dataset's status as a coloured pill that also says it in words. */
export function StatusBadge({ status }: { status: DatasetHealth }) {
  return (
    <span class={`badge badge-${status}`} data-status={status}>
      <span class="dot" aria-hidden="true" />
      {LABEL[status]}
    </span>
  );
}

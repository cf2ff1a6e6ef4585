import { formatPercent } from '../format';
import { percentColor } from './heatmap-colors';

/** A completeness percentage as a number and a short bar in the heatmap's colours. */
export function CompletenessBar({ percent }: { percent: number }) {
  const width = Math.max(0, Math.min(100, percent));
  return (
    <span class="completeness" data-percent={percent}>
      <span class="completeness-value">{formatPercent(percent)}</span>
      <span class="completeness-track" aria-hidden="true">
        <span class="completeness-fill" style={{ width: `${width}%`, background: percentColor(percent) }} />
      </span>
    </span>
  );
}

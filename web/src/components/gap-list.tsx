import type { Gap, GapBackfillState } from '../api/types';
import { formatAgo, formatCount, formatRange } from '../format';
import { CLOSED_GAP_LINGER_MS, type ClosedGap } from '../use-gap-history';

const BACKFILL: Record<GapBackfillState, { text: string; tone: string }> = {
  queued: { text: 'queued for backfill', tone: 'warn' },
  running: { text: 'fetching from source', tone: 'info' },
  failed: { text: 'backfill failed', tone: 'bad' },
  none: { text: 'not queued', tone: 'muted' },
};

const gapId = (g: Gap) => `${g.fromOrdinal}-${g.toOrdinal}`;

/** Open gaps with their backfill state, and gaps filled in the last minute (in green). */
export function GapList({ gaps, closed, nowMs }: { gaps: Gap[]; closed: ClosedGap[]; nowMs: number }) {
  if (gaps.length === 0 && closed.length === 0) {
    return (
      <p class="empty tone-good" data-testid="no-gaps">
        No open gaps: every expected partition is present.
      </p>
    );
  }
  return (
    <table class="gaps">
      <thead>
        <tr>
          <th scope="col">Missing</th>
          <th scope="col">Partitions</th>
          <th scope="col">Open for</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {gaps.map((g) => (
          <tr key={`open-${gapId(g)}`} class="gap-open" data-gap={gapId(g)} data-gap-state="open">
            <td class="mono">{formatRange(g.from, g.to)}</td>
            <td>{formatCount(g.count)}</td>
            <td>{g.ageSeconds === null ? '–' : formatAgo(g.ageSeconds).replace(' ago', '')}</td>
            <td>
              <span class={`pill tone-${BACKFILL[g.backfill].tone}`}>{BACKFILL[g.backfill].text}</span>
            </td>
          </tr>
        ))}
        {closed.map(({ gap: g, closedAt }) => (
          <tr
            key={`closed-${gapId(g)}-${closedAt}`}
            class="gap-closed"
            data-gap={gapId(g)}
            data-gap-state="closed"
            title={`filled; this row goes away ${Math.round(CLOSED_GAP_LINGER_MS / 1000)} s after the gap closed`}
          >
            <td class="mono">{formatRange(g.from, g.to)}</td>
            <td>{formatCount(g.count)}</td>
            <td>–</td>
            <td>
              <span class="pill tone-good">filled {formatAgo((nowMs - closedAt) / 1000)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

import type { Gap, GapBackfillState } from '../api/types';
import { formatAgo, formatCount, formatDuration, formatElapsed, formatPlural, formatRange } from '../format';
import { CLOSED_GAP_LINGER_MS, type TrackedGap } from '../gap-tracker';
import { useGapActivity } from '../use-gap-activity';
import type { LiveEvents } from '../use-live-events';
import type { Polled } from '../use-poll';

const BACKFILL: Record<GapBackfillState, { text: string; tone: string }> = {
  queued: { text: 'queued for backfill', tone: 'warn' },
  running: { text: 'fetching from source', tone: 'info' },
  failed: { text: 'backfill failed', tone: 'bad' },
  none: { text: 'not queued', tone: 'muted' },
};

function closedText(g: TrackedGap): string {
  const took = formatDuration((g.closedAt ?? g.openedAt) - g.openedAt);
  const by = g.closedBy ? ` by ${g.closedBy}` : '';
  const known = g.knownMissing.size > 0 ? ` (${formatCount(g.knownMissing.size)} known missing)` : '';
  if (g.filled.size === 0 && g.knownMissing.size > 0) return 'resolved: the source confirms it has none';
  // From when gapwarden found the gap (seen opening here, or told by the API's age).
  return `filled after ${took}${by}${known}`;
}

/** One gap; the same row (same element) turns from amber to green when the gap is filled. */
function GapRow({ gap: g, nowMs }: { gap: TrackedGap; nowMs: number }) {
  const range = <span class="mono">{formatRange(g.from, g.to)}</span>;
  if (g.closedAt === null) {
    const done = g.filled.size + g.knownMissing.size;
    const state = g.backfill ? BACKFILL[g.backfill] : undefined;
    return (
      <tr class="gap-open" data-gap={g.id} data-gap-state="open">
        <td>
          <span class="pill tone-warn">open</span> missing {range}
        </td>
        <td>
          {formatPlural(g.count, 'partition')}
          {done > 0 ? <span class="muted"> · {formatCount(done)} filled</span> : null}
        </td>
        <td>open for {formatElapsed(nowMs - g.openedAt)}</td>
        <td>{state ? <span class={`pill tone-${state.tone}`}>{state.text}</span> : null}</td>
      </tr>
    );
  }
  return (
    <tr
      class="gap-closed"
      data-gap={g.id}
      data-gap-state="closed"
      title={`this row goes away ${Math.round(CLOSED_GAP_LINGER_MS / 1000)} s after the gap closed`}
    >
      <td>
        <span class="pill tone-good">filled</span> {range}
      </td>
      <td>{formatPlural(g.count, 'partition')}</td>
      <td>{closedText(g)}</td>
      <td class="muted">done {formatAgo((nowMs - g.closedAt) / 1000)}</td>
    </tr>
  );
}

/**
 * "Recent gap activity": each gap the moment it opens (amber), turning green when its
 * last partition is filled, then lingering a minute. Gaps open before the page loaded
 * come from the API's open-gap list.
 */
export function GapActivity({ name, open, live }: { name: string; open: Polled<Gap[]>; live: LiveEvents }) {
  const { gaps, nowMs } = useGapActivity(name, open, live);
  const how =
    live.state === 'live'
      ? 'Gaps show up the moment they open and turn green when filled.'
      : 'Checked every second; gaps turn green when filled.';
  return (
    <section class="panel" aria-labelledby="gaps-title">
      <h2 id="gaps-title">Recent gap activity</h2>
      {!open.data && gaps.length === 0 ? (
        <p class="muted">{open.error ? open.error.message : 'Loading…'}</p>
      ) : gaps.length === 0 ? (
        <p class="empty tone-good" data-testid="no-gaps">
          No open gaps: every expected partition is present. <span class="muted">{how}</span>
        </p>
      ) : (
        <>
          <div class="table-scroll">
            <table class="gaps" data-testid="gap-activity">
              <thead>
                <tr>
                  <th scope="col">Gap</th>
                  <th scope="col">Size</th>
                  <th scope="col">Timing</th>
                  <th scope="col">Backfill</th>
                </tr>
              </thead>
              <tbody>
                {gaps.map((g) => (
                  <GapRow key={`${g.id}@${g.openedAt}`} gap={g} nowMs={nowMs} />
                ))}
              </tbody>
            </table>
          </div>
          <p class="hint muted">
            {how} Filled gaps stay {Math.round(CLOSED_GAP_LINGER_MS / 1000)} s.
          </p>
        </>
      )}
    </section>
  );
}

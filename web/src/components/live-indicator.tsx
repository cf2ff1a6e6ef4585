import { formatAgo, formatTime } from '../format';
import type { LiveState } from '../use-live-events';
import type { Polled } from '../use-poll';

const MODE: Record<LiveState, { text: string; title: string }> = {
  live: {
    text: 'live',
    title: 'connected to the server’s event stream: the page updates the moment something happens',
  },
  polling: {
    text: 'polling every second',
    title:
      'no event stream (not connected yet, or refused by the server): the page asks the server every second',
  },
};

/**
 * Whether what the page shows is live (event stream), polled, paused (hidden tab) or
 * stale (server gone). `data-live` says which, for tests and curious users.
 */
export function LiveIndicator({
  polled,
  live,
  onlyProblems = false,
}: {
  polled: Pick<Polled<unknown>, 'error' | 'updatedAt'>;
  live: LiveState;
  /** Say nothing while all is well (the header already says the page is live). */
  onlyProblems?: boolean;
}) {
  if (polled.error && polled.updatedAt === undefined) {
    return (
      <span class="live live-error" role="status">
        server not answering
      </span>
    );
  }
  if (polled.error) {
    return (
      <span class="live live-error" role="status" title={polled.error.message}>
        connection lost · showing data from {formatTime(polled.updatedAt)}
      </span>
    );
  }
  if (onlyProblems) return null;
  if (polled.updatedAt === undefined) return <span class="live">connecting…</span>;
  const age = (Date.now() - polled.updatedAt) / 1000;
  const mode = MODE[live];
  return (
    <span
      class={`live live-ok live-${live}`}
      title={mode.title}
      data-live={live === 'live' ? 'sse' : 'polling'}
    >
      <span class="dot" aria-hidden="true" /> {mode.text} · updated {age < 2 ? 'just now' : formatAgo(age)}
    </span>
  );
}

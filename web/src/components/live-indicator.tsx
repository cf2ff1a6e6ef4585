import { formatAgo, formatTime } from '../format';
import type { Polled } from '../use-poll';

/** Whether what the page shows is live, paused (hidden tab) or stale (server gone). */
export function LiveIndicator({ polled }: { polled: Pick<Polled<unknown>, 'error' | 'updatedAt'> }) {
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
  if (polled.updatedAt === undefined) return <span class="live">connecting…</span>;
  const age = (Date.now() - polled.updatedAt) / 1000;
  return (
    <span class="live live-ok" title="the page asks the server again every second while it is visible">
      <span class="dot" aria-hidden="true" /> live · updated {age < 2 ? 'just now' : formatAgo(age)}
    </span>
  );
}

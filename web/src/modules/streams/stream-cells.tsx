import type { StreamBatch, StreamMinute, StreamPipeline } from '../../api/types';
import { formatCount, formatPercent, formatPlural, formatTime } from '../../format';

const MINUTE_MS = 60_000;
const W = 640;
const H = 80;

/** "98.5 %" of a 0..1 ratio; "–" when there is none. */
export function formatRatio(r: number | null): string {
  return r === null ? '–' : formatPercent(r * 100);
}

/** Whether the server's process runs the pipeline, in words. */
export function RunningPill({ pipeline }: { pipeline: StreamPipeline }) {
  const { running, lastError } = pipeline;
  const [tone, text] =
    running === null ? ['muted', 'not run here'] : running ? ['good', 'running'] : ['bad', 'stopped'];
  return (
    <span
      class={`pill tone-${lastError ? 'bad' : tone}`}
      data-running={String(running)}
      title={lastError ?? ''}
    >
      {text}
    </span>
  );
}

/** A topic's lag: "caught up", "12 waiting", or unknown until it is first asked. */
export function Lag({ lag }: { lag: number | null }) {
  if (lag === null) return <span class="muted">not known yet</span>;
  if (lag === 0) return <span class="tone-good">0 · caught up</span>;
  return <span class="tone-warn">{formatCount(lag)} waiting</span>;
}

/**
 * Messages per minute over the last hour as bars, the dead-lettered part in red (a minute's
 * `messages` counts every acknowledged message, dead letters included): an SVG, no chart library.
 */
export function ActivityBars({ minutes, nowMs }: { minutes: StreamMinute[]; nowMs: number }) {
  const end = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS;
  const start = end - 59 * MINUTE_MS;
  const byMinute = new Map(minutes.map((m) => [m.minute, m]));
  const max = Math.max(1, ...minutes.map((m) => m.messages));
  const total = minutes.reduce((n, m) => n + m.messages, 0);
  const dead = minutes.reduce((n, m) => n + m.deadLetters, 0);
  const bw = W / 60;
  return (
    <figure class="rollup-chart stream-activity" data-testid="stream-activity" data-messages={total}>
      <figcaption>
        Messages per minute, last hour{' '}
        <span class="dataset-sub">
          {formatPlural(total, 'message')}
          {dead > 0 ? ` (${formatCount(dead)} dead-lettered)` : ''} · max {formatCount(max)}/min
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" height={H} role="img" aria-label="messages per minute">
        {Array.from({ length: 60 }, (_, i) => {
          const at = start + i * MINUTE_MS;
          const m = byMinute.get(at);
          if (!m) return null;
          const h = (m.messages / max) * (H - 4);
          const d = (m.deadLetters / max) * (H - 4);
          return (
            <g key={at}>
              <title>
                {formatTime(at)}: {m.messages} messages ({m.deadLetters} dead-lettered), {m.batches} batches
              </title>
              <rect x={i * bw + 1} y={H - h} width={bw - 2} height={h - d} fill="#2563eb" />
              {d > 0 ? <rect x={i * bw + 1} y={H - d} width={bw - 2} height={d} fill="#dc2626" /> : null}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** The newest batch reports: did every expected key report, and which did not. */
export function BatchTable({ batches }: { batches: StreamBatch[] }) {
  if (batches.length === 0) return <p class="muted">No batch closed yet.</p>;
  return (
    <div class="table-scroll">
      <table class="jobs" data-testid="stream-batches">
        <thead>
          <tr>
            <th scope="col">Window end</th>
            <th scope="col">Status</th>
            <th scope="col">Keys</th>
            <th scope="col">Missing</th>
            <th scope="col">Availability</th>
          </tr>
        </thead>
        <tbody>
          {batches.map((b) => (
            <tr key={b.batchId} data-batch={b.batchId} data-status={b.status}>
              <th scope="row" data-label="Window end">
                {formatTime(b.windowEnd)}
                <span class="dataset-sub">closed {formatTime(b.closedAt)}</span>
              </th>
              <td data-label="Status">
                <span class={`pill tone-${b.status === 'complete' ? 'good' : 'warn'}`}>{b.status}</span>
              </td>
              <td data-label="Keys" title="expected keys whose window arrived">
                {b.expectedKeys.length - b.missingKeys.length} of {b.expectedKeys.length}
                <span class="dataset-sub">{formatPlural(b.reportedKeys, 'key')} with module results</span>
              </td>
              <td data-label="Missing" class="mono">
                {[...b.missingKeys, ...b.missingTopics.map((t) => `topic ${t}`)].join(', ') || '–'}
              </td>
              <td data-label="Availability">{formatRatio(b.availabilityRatio)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

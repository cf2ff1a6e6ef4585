import type { SourceHealth } from '../api/types';
import { formatAgo, formatTime } from '../format';

// Circuit-breaker words mean little to a reader: say what they mean for the data.
const STATE: Record<SourceHealth['state'], { text: string; tone: string; meaning: string }> = {
  closed: { text: 'up', tone: 'good', meaning: 'calls go through (circuit closed)' },
  'half-open': {
    text: 'retrying',
    tone: 'warn',
    meaning: 'one trial call after failures (circuit half-open)',
  },
  open: { text: 'down', tone: 'bad', meaning: 'skipped after repeated failures (circuit open)' },
};

function describe(s: SourceHealth, nowMs: number): string {
  const lines = [`${s.source}: ${STATE[s.state].meaning}`];
  if (s.lastSuccessAt) lines.push(`last success ${formatTime(s.lastSuccessAt)}`);
  if (s.consecutiveFailures > 0) lines.push(`${s.consecutiveFailures} failure(s) in a row`);
  if (s.lastFailureAt) lines.push(`last failure ${formatAgo((nowMs - s.lastFailureAt) / 1000)}`);
  if (s.lastError) lines.push(`last error: ${s.lastError}`);
  if (s.state === 'open' && s.retryAt) lines.push(`next try ${formatTime(s.retryAt)}`);
  return lines.join('\n');
}

/** Each source of a dataset with its state, in priority order. */
export function SourceList({ sources, nowMs }: { sources: SourceHealth[]; nowMs: number }) {
  if (sources.length === 0) return <span class="muted">not used yet</span>;
  return (
    <ul class="sources">
      {sources.map((s) => (
        <li key={s.source} class={`source tone-${STATE[s.state].tone}`} title={describe(s, nowMs)}>
          <span class="dot" aria-hidden="true" />
          <span class="source-name">{s.source}</span> <span class="source-state">{STATE[s.state].text}</span>
          {s.consecutiveFailures > 0 && s.state !== 'closed' ? (
            <span class="source-failures"> ({s.consecutiveFailures} failed)</span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

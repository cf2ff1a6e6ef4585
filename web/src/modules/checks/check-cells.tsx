import type { CheckRun } from '../../api/types';
import { formatDuration, formatPercent } from '../../format';

export const checksHref = '#/checks';
export const checkHref = (name: string) => `#/checks/${encodeURIComponent(name)}`;

const STATUS: Record<CheckRun['status'], { tone: string; title: string }> = {
  healthy: { tone: 'good', title: 'score at or above the healthy threshold' },
  degraded: { tone: 'warn', title: 'score between the degraded and healthy thresholds' },
  unhealthy: { tone: 'bad', title: 'score below the degraded threshold' },
  error: { tone: 'bad', title: "the check's query failed: no score" },
};

/** A run's status as a coloured pill that says it in words. */
export function CheckStatus({ run }: { run: Pick<CheckRun, 'status' | 'level'> | null }) {
  if (!run) return <span class="muted">not run yet</span>;
  const { tone, title } = STATUS[run.status];
  return (
    <span class={`pill tone-${tone}`} data-status={run.status} title={title}>
      {run.status}
    </span>
  );
}

/** The alert level a run's score maps to (low … critical). */
export function CheckLevel({ level }: { level: CheckRun['level'] }) {
  if (level === null) return <span class="muted">–</span>;
  const tone = level === 'low' ? 'good' : level === 'medium' ? 'warn' : 'bad';
  return (
    <span class={`pill tone-${tone}`} data-level={level}>
      {level}
    </span>
  );
}

/** "92.7 %", or a dash for an error run. */
export function formatScore(score: number | null): string {
  return score === null ? '–' : formatPercent(score);
}

/** A delay figure: "34 s", "18 min"; a dash when nothing arrived. */
export function formatDelay(ms: number | null): string {
  return ms === null ? '–' : formatDuration(ms);
}

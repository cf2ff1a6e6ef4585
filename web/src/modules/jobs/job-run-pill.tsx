import type { JobRunState } from '../../api/types';

const TONE: Record<JobRunState, { tone: string; title: string }> = {
  running: { tone: 'info', title: 'running now' },
  ok: { tone: 'good', title: 'finished without error' },
  failed: { tone: 'bad', title: 'ended with an error (after its retries)' },
  timeout: { tone: 'bad', title: 'ran longer than its timeout and was cancelled' },
  skipped: { tone: 'muted', title: 'did not start: the previous run was still going' },
  cancelled: { tone: 'muted', title: 'stopped by a shutdown before it finished' },
};

/** A run's state as a coloured pill that also says it in words. */
export function JobRunPill({ state }: { state: JobRunState }) {
  const { tone, title } = TONE[state];
  return (
    <span class={`pill tone-${tone}`} data-state={state} title={title}>
      {state}
    </span>
  );
}

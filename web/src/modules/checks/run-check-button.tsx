import type { CheckRun } from '../../api/types';
import { useApp } from '../../app-store';
import { formatCount } from '../../format';
import { formatScore } from './check-cells';
import { useWriteAction, WriteProblem } from './use-write-action';

/**
 * Run now (the check's default profile), then what the run found; needs the API token.
 * `onRan` refreshes what the page shows of the check.
 */
export function RunCheckButton({ name, onRan }: { name: string; onRan: (run: CheckRun) => void }) {
  const { api } = useApp();
  const action = useWriteAction(() => api.runCheck(name), onRan);
  const { state } = action;
  return (
    <div class="check-run-now" aria-live="polite" data-testid="run-check">
      <button
        type="button"
        class="button-small"
        disabled={state.kind === 'sending'}
        title="run the check now over its default profile's window"
        onClick={action.send}
      >
        {state.kind === 'sending' ? 'Running…' : 'Run now'}
      </button>
      {state.kind === 'done' ? (
        <p class="tone-good" data-testid="run-check-result">
          Ran ({state.result.profile}): {state.result.status}, score {formatScore(state.result.score)},{' '}
          {formatCount(state.result.findings)} findings
        </p>
      ) : null}
      <WriteProblem action={action} what="Run now" />
    </div>
  );
}

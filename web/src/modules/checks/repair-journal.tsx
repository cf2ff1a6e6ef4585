import type { RepairRun } from '../../api/types';
import { useApp } from '../../app-store';
import { formatCount, formatTime } from '../../format';
import { useWriteAction, WriteProblem } from './use-write-action';

function RunStatus({ run }: { run: RepairRun }) {
  const tone = run.status === 'done' ? 'good' : run.status === 'failed' ? 'bad' : 'info';
  return (
    <span>
      <span class={`pill tone-${tone}`} data-status={run.status}>
        {run.status}
      </span>
      {run.rollbackStatus ? (
        <span
          class={`pill tone-${run.rollbackStatus === 'done' ? 'muted' : run.rollbackStatus === 'failed' ? 'bad' : 'info'}`}
          data-rollback={run.rollbackStatus}
        >
          {run.rollbackStatus === 'done'
            ? 'rolled back'
            : run.rollbackStatus === 'failed'
              ? 'rollback failed'
              : 'rolling back'}
        </span>
      ) : null}
      {run.rollbackAt ? <span class="dataset-sub">at {formatTime(run.rollbackAt)}</span> : null}
      {run.error ? <span class="dataset-sub tone-bad">{run.error}</span> : null}
      {run.rollbackError ? <span class="dataset-sub tone-bad">{run.rollbackError}</span> : null}
    </span>
  );
}

/** Rollback of one journal run; a refusal (409 ROLLBACK_REFUSED) is shown in the server's words. */
function RollbackButton({ run, onChanged }: { run: RepairRun; onChanged: () => void }) {
  const { api } = useApp();
  const action = useWriteAction(() => api.rollbackRepair(run.id), onChanged);
  const { state } = action;
  return (
    <div aria-live="polite" data-testid="rollback">
      <button
        type="button"
        class="button-small button-quiet"
        disabled={state.kind === 'sending' || run.status === 'running'}
        title="undo this run's changes; refused where a row changed since, or when already rolled back"
        onClick={action.send}
      >
        {state.kind === 'sending' ? 'Rolling back…' : 'Rollback'}
      </button>
      {state.kind === 'done' ? (
        <p class="tone-good" data-testid="rollback-result">
          Rolled back: {formatCount(state.result.undone)} changes undone
          {state.result.restoredRows > 0 ? `, ${formatCount(state.result.restoredRows)} rows restored` : ''}
        </p>
      ) : null}
      {state.kind === 'error' && state.code === 'ROLLBACK_REFUSED' ? (
        <p class="tone-bad" data-testid="rollback-refused">
          Rollback refused: {state.message}
        </p>
      ) : (
        <WriteProblem action={action} what="Rollback" />
      )}
    </div>
  );
}

/** The check's repair runs, newest first, each with its outcome, rollback state and Rollback. */
export function RepairJournal({ runs, onChanged }: { runs: RepairRun[]; onChanged: () => void }) {
  if (runs.length === 0)
    return (
      <p class="muted" data-testid="journal-empty">
        No repair has run yet.
      </p>
    );
  return (
    <div class="table-scroll">
      <table class="jobs" data-testid="repair-journal">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col">Outcome</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-repair={r.id}>
              <th scope="row" data-label="Run">
                #{r.id}
                <span class="dataset-sub">
                  {r.kind} · by {r.actor}
                </span>
              </th>
              <td data-label="Started">{formatTime(r.startedAt)}</td>
              <td data-label="Status">
                <RunStatus run={r} />
              </td>
              <td data-label="Outcome" data-testid="journal-outcome">
                {formatCount(r.repaired)} repaired, {formatCount(r.unchanged)} unchanged,{' '}
                {formatCount(r.fixedMeanwhile)} fixed meanwhile, {formatCount(r.failed)} failed
                <span class="dataset-sub">
                  {formatCount(r.planned)} planned, {r.batchesDone}/{r.batches} batches
                </span>
              </td>
              <td data-label="Actions">
                <RollbackButton run={r} onChanged={onChanged} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

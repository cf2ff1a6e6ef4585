import { useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { JobSummary } from '../../api/types';
import { useApp } from '../../app-store';
import { TokenPrompt } from '../../components/token-prompt';
import { jobHref } from './job-links';

export type JobAction = 'run' | 'pause' | 'resume';

const VERB: Record<JobAction, string> = { run: 'Run now', pause: 'Pause', resume: 'Resume' };

type ActionState =
  | { kind: 'idle' }
  | { kind: 'sending'; action: JobAction }
  | { kind: 'done'; action: JobAction; job: JobSummary; at: number }
  | { kind: 'error'; action: JobAction; message: string }
  | { kind: 'needs-token'; action: JobAction };

export interface JobActions {
  state: ActionState;
  send: (action: JobAction) => void;
  /**
   * The job to show: the one a pause or resume answered with, until a poll sent after that
   * answer arrives (so "Pause" turns into "Resume" at once, and cannot be pressed twice).
   * Run now answers as the run starts; the polled job, refreshed by its events, is newer.
   */
  current: (polled: JobSummary, polledRequestedAt: number | undefined) => JobSummary;
}

/**
 * Runs, pauses and resumes one job. State-changing calls carry the token the app keeps;
 * a 401 asks for it (see JobActionResult) and the action is sent again once it is given.
 */
export function useJobActions(id: string, onChanged: () => void): JobActions {
  const { api } = useApp();
  const [state, setState] = useState<ActionState>({ kind: 'idle' });
  const send = async (action: JobAction) => {
    setState({ kind: 'sending', action });
    try {
      const call = action === 'run' ? api.runJob : action === 'pause' ? api.pauseJob : api.resumeJob;
      const job = await call(id);
      setState({ kind: 'done', action, job, at: Date.now() });
      onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) setState({ kind: 'needs-token', action });
      else setState({ kind: 'error', action, message: err instanceof Error ? err.message : String(err) });
    }
  };
  return {
    state,
    send: (action) => void send(action),
    current: (polled, requestedAt) =>
      state.kind === 'done' && state.action !== 'run' && state.at >= (requestedAt ?? 0) ? state.job : polled,
  };
}

/** Run now, and Pause or Resume, disabled while one of them is on its way. */
export function JobButtons({ job, actions }: { job: JobSummary; actions: JobActions }) {
  const sending = actions.state.kind === 'sending' ? actions.state.action : null;
  const toggle: JobAction = job.paused ? 'resume' : 'pause';
  return (
    <div class="job-buttons">
      <button
        type="button"
        class="button-small"
        disabled={sending !== null}
        title="start a manual run now, beside the schedule"
        onClick={() => actions.send('run')}
      >
        {sending === 'run' ? 'Starting…' : VERB.run}
      </button>
      <button
        type="button"
        class="button-small button-quiet"
        disabled={sending !== null}
        title={
          job.paused
            ? 'start scheduled runs again from the next due time (paused time is not caught up)'
            : 'no scheduled run starts until resumed; applies to every process sharing the store'
        }
        onClick={() => actions.send(toggle)}
      >
        {sending === toggle ? (job.paused ? 'Resuming…' : 'Pausing…') : VERB[toggle]}
      </button>
    </div>
  );
}

/**
 * What the last action did: an error from the API in its own words, a note that a run
 * started, or (after a 401) the token prompt, which sends the action again.
 */
export function JobActionResult({
  id,
  actions,
  showHistoryLink = false,
}: {
  id: string;
  actions: JobActions;
  showHistoryLink?: boolean;
}) {
  const { token, setToken } = useApp();
  const { state } = actions;
  return (
    <div class="job-result" aria-live="polite" data-testid="job-result">
      {state.kind === 'error' ? (
        <p class="tone-bad">
          {VERB[state.action]} failed: {state.message}
        </p>
      ) : null}
      {state.kind === 'done' && state.action === 'run' ? (
        <p class="tone-good">
          Manual run started
          {showHistoryLink ? (
            <>
              {' '}
              · <a href={jobHref(id)}>see history</a>
            </>
          ) : null}
        </p>
      ) : null}
      {state.kind === 'needs-token' ? (
        <TokenPrompt
          hadToken={token !== null}
          onSave={(t) => {
            setToken(t);
            actions.send(state.action);
          }}
        />
      ) : null}
    </div>
  );
}

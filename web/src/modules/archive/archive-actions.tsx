import { useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import { useApp } from '../../app-store';
import { TokenPrompt } from '../../components/token-prompt';

/** One write action of the archive page: what its button says, and the call that answers a sentence. */
export interface ArchiveAction {
  /** Which button, e.g. `run` or `verify:2026-11-12`: shows "…ing" on it while it runs. */
  id: string;
  run: (token: string | null) => Promise<{ message: string; ok: boolean }>;
}

type ActionState =
  | { kind: 'idle' }
  | { kind: 'sending'; action: ArchiveAction }
  | { kind: 'done'; action: ArchiveAction; message: string; ok: boolean }
  | { kind: 'error'; action: ArchiveAction; message: string }
  | { kind: 'needs-token'; action: ArchiveAction };

/**
 * Runs the archive's write actions (run, verify, restore). They need the API
 * token: after a 401 the token is asked for and the action is sent again.
 */
export function useArchiveAction(onChanged: () => void) {
  const { token, setToken } = useApp();
  const [state, setState] = useState<ActionState>({ kind: 'idle' });
  const send = async (action: ArchiveAction, withToken = token) => {
    setState({ kind: 'sending', action });
    try {
      const { message, ok } = await action.run(withToken);
      setState({ kind: 'done', action, message, ok });
      onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) setState({ kind: 'needs-token', action });
      else setState({ kind: 'error', action, message: err instanceof Error ? err.message : String(err) });
    }
  };
  const sending = state.kind === 'sending' ? state.action.id : null;
  const result = (
    <div aria-live="polite" data-testid="archive-result">
      {state.kind === 'done' ? <p class={state.ok ? 'tone-good' : 'tone-bad'}>{state.message}</p> : null}
      {state.kind === 'error' ? <p class="tone-bad">{state.message}</p> : null}
      {state.kind === 'needs-token' ? (
        <TokenPrompt
          hadToken={token !== null}
          onSave={(t) => {
            setToken(t);
            void send(state.action, t);
          }}
        />
      ) : null}
    </div>
  );
  return { send: (a: ArchiveAction) => void send(a), sending, result };
}

import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import { useApp } from '../../app-store';
import { TokenPrompt } from '../../components/token-prompt';

export type WriteState<T> =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'done'; result: T }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'needs-token' };

export interface WriteAction<T> {
  state: WriteState<T>;
  send: () => void;
}

/**
 * One state-changing call (run, repair, rollback): its progress, its answer, or the
 * API's refusal in its own words; after a 401 the token prompt (WriteResult), and
 * the call is sent again once a token is given.
 */
export function useWriteAction<T>(call: () => Promise<T>, onDone?: (result: T) => void): WriteAction<T> {
  const [state, setState] = useState<WriteState<T>>({ kind: 'idle' });
  const latest = useRef({ call, onDone });
  latest.current = { call, onDone };
  const send = async () => {
    setState({ kind: 'sending' });
    try {
      const result = await latest.current.call();
      setState({ kind: 'done', result });
      latest.current.onDone?.(result);
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) setState({ kind: 'needs-token' });
      else
        setState({
          kind: 'error',
          code: err instanceof ApiError ? err.code : 'ERROR',
          message: err instanceof Error ? err.message : String(err),
        });
    }
  };
  return { state, send: () => void send() };
}

/** A failed call (`what` failed: the API's message) or the token prompt; nothing otherwise. */
export function WriteProblem<T>({ action, what }: { action: WriteAction<T>; what: string }) {
  const { token, setToken } = useApp();
  const { state } = action;
  if (state.kind === 'error')
    return (
      <p class="tone-bad" data-code={state.code}>
        {what} failed: {state.message}
      </p>
    );
  if (state.kind === 'needs-token')
    return (
      <TokenPrompt
        hadToken={token !== null}
        onSave={(t) => {
          setToken(t);
          action.send();
        }}
      />
    );
  return null;
}

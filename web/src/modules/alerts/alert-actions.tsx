import { useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { AlertSummary } from '../../api/types';
import { useApp } from '../../app-store';
import { TokenPrompt } from '../../components/token-prompt';

type Action = 'ack' | 'silence';
type ActionState =
  | { kind: 'idle' }
  | { kind: 'sending'; action: Action }
  | { kind: 'done'; action: Action; message: string }
  | { kind: 'error'; action: Action; message: string }
  | { kind: 'needs-token'; action: Action };

/** The labels a silence from the dashboard matches: the alert's rule and its identifying labels. */
export function silenceMatchers(alert: AlertSummary): string[] {
  return Object.entries(alert.labels)
    .filter(([k]) => k !== 'kind')
    .map(([k, v]) => `${k}=${v}`);
}

/**
 * Acknowledge and Silence (for 2 hours) one alert; both need the API token,
 * asked for after a 401, and the action is sent again once it is given.
 */
export function AlertButtons({ alert, onChanged }: { alert: AlertSummary; onChanged: () => void }) {
  const { api, token, setToken } = useApp();
  const [state, setState] = useState<ActionState>({ kind: 'idle' });
  const send = async (action: Action) => {
    setState({ kind: 'sending', action });
    try {
      if (action === 'ack') await api.ackAlert(alert.id);
      else
        await api.createSilence(
          silenceMatchers(alert),
          '2h',
          `silenced from the dashboard (alert ${alert.id})`,
        );
      setState({
        kind: 'done',
        action,
        message: action === 'ack' ? 'Acknowledged: no more escalation or repeats' : 'Silenced for 2 hours',
      });
      onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) setState({ kind: 'needs-token', action });
      else setState({ kind: 'error', action, message: err instanceof Error ? err.message : String(err) });
    }
  };
  const sending = state.kind === 'sending' ? state.action : null;
  return (
    <div class="alert-actions">
      <div class="job-buttons">
        {alert.state === 'firing' ? (
          <button
            type="button"
            class="button-small"
            disabled={sending !== null}
            title="someone is on it: stop escalation and repeats (the resolution is still sent)"
            onClick={() => void send('ack')}
          >
            {sending === 'ack' ? 'Acknowledging…' : 'Acknowledge'}
          </button>
        ) : null}
        {alert.state !== 'resolved' && alert.suppressed?.by !== 'silence' ? (
          <button
            type="button"
            class="button-small button-quiet"
            disabled={sending !== null}
            title={`hold back notifications of alerts matching ${silenceMatchers(alert).join(' ')} for 2 hours`}
            onClick={() => void send('silence')}
          >
            {sending === 'silence' ? 'Silencing…' : 'Silence 2h'}
          </button>
        ) : null}
      </div>
      <div aria-live="polite" data-testid="alert-result">
        {state.kind === 'done' ? <p class="tone-good">{state.message}</p> : null}
        {state.kind === 'error' ? <p class="tone-bad">{state.message}</p> : null}
        {state.kind === 'needs-token' ? (
          <TokenPrompt
            hadToken={token !== null}
            onSave={(t) => {
              setToken(t);
              void send(state.action);
            }}
          />
        ) : null}
      </div>
    </div>
  );
}

import type { AlertHistoryEntry, AlertSilence } from '../../api/types';
import { useApp } from '../../app-store';
import { LiveIndicator } from '../../components/live-indicator';
import { formatTime } from '../../format';
import { usePoll } from '../../use-poll';
import { AlertButtons } from './alert-actions';
import { AlertState, alertHref, Labels, Severity, Since } from './alert-cells';

/** Every change of every alert, newest first: fired, notified, escalated, acknowledged, resolved. */
function Timeline({ history }: { history: AlertHistoryEntry[] }) {
  if (history.length === 0) return <p class="muted">Nothing has happened yet.</p>;
  return (
    <ol class="alert-timeline" data-testid="alert-timeline">
      {history.map((h) => (
        <li key={h.id} class={`change-${h.change}`}>
          <time dateTime={h.at}>{formatTime(Date.parse(h.at))}</time>{' '}
          <a href={alertHref(h.alertId)}>
            #{h.alertId} {h.rule}
          </a>{' '}
          <span class="pill">{h.change}</span> <span class="muted">{h.severity}</span>
          {h.actor ? <span class="muted"> by {h.actor}</span> : null}
          {h.detail ? <span class="dataset-sub">{h.detail}</span> : null}
        </li>
      ))}
    </ol>
  );
}

function Silences({ silences, onChanged }: { silences: AlertSilence[]; onChanged: () => void }) {
  const { api } = useApp();
  if (silences.length === 0) return <p class="muted">No silences.</p>;
  return (
    <ul class="silences" data-testid="silences">
      {silences.map((s) => (
        <li key={s.id}>
          <span class="pill">{s.status}</span> <span class="mono">{s.matchers.join(' ')}</span>{' '}
          <span class="muted">
            until {formatTime(Date.parse(s.endsAt))}, by {s.author}
            {s.comment ? `: ${s.comment}` : ''}
          </span>{' '}
          <button
            type="button"
            class="button-small button-quiet"
            onClick={() => void api.expireSilence(s.id).then(onChanged, onChanged)}
          >
            Expire
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Alerts firing now (with Acknowledge and Silence), the silences, and the timeline of every change. */
export function AlertsPage() {
  const { api, live } = useApp();
  const open = usePoll(() => api.alerts('open'), 'alerts', { live, refreshOn: '*' });
  const history = usePoll(() => api.alertHistory(100), 'alert-history', { live, refreshOn: '*' });
  const silences = usePoll(() => api.silences(), 'silences');
  const refresh = () => {
    open.refresh();
    history.refresh();
    silences.refresh();
  };
  const list = open.data;
  return (
    <section class="panel" aria-labelledby="alerts-title">
      <div class="panel-head">
        <h1 id="alerts-title">Alerts</h1>
        <LiveIndicator polled={open} live={live.state} onlyProblems />
      </div>
      <h2>Firing now</h2>
      {!list ? (
        <p class="muted">
          {open.error ? `Cannot load the alerts: ${open.error.message}` : 'Loading alerts…'}
        </p>
      ) : list.length === 0 ? (
        <p class="tone-good" data-testid="no-alerts">
          Nothing is firing.
        </p>
      ) : (
        <div class="table-scroll">
          <table class="jobs" data-testid="alerts">
            <thead>
              <tr>
                <th scope="col">Alert</th>
                <th scope="col">Severity</th>
                <th scope="col">State</th>
                <th scope="col">Since</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr key={a.id} data-alert={a.id}>
                  <th scope="row" data-label="Alert">
                    <a href={alertHref(a.id)}>
                      #{a.id} {a.rule}
                    </a>
                    <span class="dataset-sub">{a.summary}</span>
                    <Labels labels={a.labels} />
                  </th>
                  <td data-label="Severity">
                    <Severity alert={a} />
                  </td>
                  <td data-label="State">
                    <AlertState alert={a} />
                  </td>
                  <td data-label="Since">
                    <Since iso={a.firedAt ?? a.startsAt} />
                    <span class="dataset-sub">seen {a.occurrences}×</span>
                  </td>
                  <td data-label="Actions">
                    <AlertButtons alert={a} onChanged={refresh} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Silences</h2>
      {silences.data ? <Silences silences={silences.data} onChanged={refresh} /> : null}
      <h2>Timeline</h2>
      {history.data ? <Timeline history={history.data} /> : <p class="muted">Loading…</p>}
    </section>
  );
}

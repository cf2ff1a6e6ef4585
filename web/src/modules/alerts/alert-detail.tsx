import type { AlertDelivery } from '../../api/types';
import { useApp } from '../../app-store';
import { formatTime } from '../../format';
import { usePoll } from '../../use-poll';
import { AlertButtons } from './alert-actions';
import { AlertState, Labels, Severity, Since } from './alert-cells';

/** Every message sent about the alert, each with its attempts. */
function DeliveryLog({ deliveries }: { deliveries: AlertDelivery[] }) {
  if (deliveries.length === 0)
    return <p class="muted">No message sent yet (still in its group wait, or held back).</p>;
  return (
    <div class="table-scroll">
      <table class="jobs" data-testid="delivery-log">
        <thead>
          <tr>
            <th scope="col">Receiver</th>
            <th scope="col">Kind</th>
            <th scope="col">State</th>
            <th scope="col">Attempts</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id} data-delivery={d.id}>
              <th scope="row">{d.receiver}</th>
              <td>{d.kind}</td>
              <td>
                <span
                  class={`pill tone-${d.state === 'delivered' ? 'good' : d.state === 'failed' ? 'bad' : 'warn'}`}
                >
                  {d.state}
                </span>
                {d.lastError ? <span class="dataset-sub">{d.lastError}</span> : null}
              </td>
              <td>
                {d.log.map((l) => (
                  <span key={l.attempt} class="dataset-sub">
                    {formatTime(Date.parse(l.at))}: {l.ok ? 'ok' : (l.error ?? 'failed')}
                    {l.status ? ` (HTTP ${l.status})` : ''}, {l.ms} ms
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One alert: what broke, since when, what was tried, its history and its delivery log. */
export function AlertDetailPage({ id }: { id: number }) {
  const { api, live } = useApp();
  const detail = usePoll(() => api.alert(id), `alert-${id}`, { live, refreshOn: '*' });
  const d = detail.data;
  if (!d)
    return (
      <section class="panel">
        <p class="muted">{detail.error ? `Cannot load alert ${id}: ${detail.error.message}` : 'Loading…'}</p>
      </section>
    );
  const a = d.alert;
  return (
    <section class="panel" aria-labelledby="alert-title" data-testid="alert-detail">
      <p>
        <a href="#/alerts">← Alerts</a>
      </p>
      <h1 id="alert-title">
        #{a.id} {a.rule} <Severity alert={a} /> <AlertState alert={a} />
      </h1>
      <p>{a.summary}</p>
      {a.tried ? <p class="muted">Tried: {a.tried}</p> : null}
      <p class="muted">
        <Labels labels={a.labels} /> · started <Since iso={a.startsAt} /> · seen {a.occurrences}× · tier{' '}
        {a.tier}
        {a.endsAt ? (
          <>
            {' '}
            · resolved <Since iso={a.endsAt} />
          </>
        ) : null}
      </p>
      <AlertButtons alert={a} onChanged={detail.refresh} />
      <h2>History</h2>
      <ol class="alert-timeline">
        {d.history.map((h) => (
          <li key={h.id}>
            <time dateTime={h.at}>{formatTime(Date.parse(h.at))}</time> <span class="pill">{h.change}</span>{' '}
            <span class="muted">
              {h.severity}, tier {h.tier}
              {h.actor ? `, by ${h.actor}` : ''}
            </span>
            {h.detail ? <span class="dataset-sub">{h.detail}</span> : null}
          </li>
        ))}
      </ol>
      <h2>Delivery log</h2>
      <DeliveryLog deliveries={d.deliveries} />
    </section>
  );
}

import { useApp } from '../../app-store';
import { usePoll } from '../../use-poll';

/**
 * The header's alert badge: how many alerts fire now, the worst severity
 * first, linking to the alerts page. Shown only when the server runs the
 * alerts module.
 */
export function AlertBadge() {
  const { api, live, modules } = useApp();
  const enabled = (modules ?? []).some((m) => m.name === 'alerts');
  const counts = usePoll(
    () => (enabled ? api.alertCounts() : Promise.resolve(undefined)),
    `alert-badge-${enabled}`,
    {
      live,
      refreshOn: '*',
    },
  );
  const c = counts.data;
  if (!enabled || !c) return null;
  const firing = c.firing.P0 + c.firing.P1 + c.firing.P2;
  const worst = c.firing.P0 > 0 ? 'P0' : c.firing.P1 > 0 ? 'P1' : c.firing.P2 > 0 ? 'P2' : null;
  return (
    <a
      class={`alert-badge tone-${worst === 'P0' ? 'bad' : worst ? 'warn' : 'good'}`}
      href="#/alerts"
      data-testid="alert-badge"
      data-firing={String(firing)}
      title={`${c.firing.P0} P0, ${c.firing.P1} P1, ${c.firing.P2} P2 firing; ${c.acknowledged} acknowledged`}
    >
      {firing === 0 ? 'No alerts' : `${firing} firing${worst ? ` (${worst})` : ''}`}
    </a>
  );
}

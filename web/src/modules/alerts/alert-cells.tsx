import type { AlertSummary } from '../../api/types';
import { formatTime } from '../../format';

export const alertHref = (id: number) => `#/alerts/${id}`;

const TONE: Record<AlertSummary['state'], string> = {
  pending: 'muted',
  firing: 'bad',
  acknowledged: 'warn',
  resolved: 'good',
};

/** P0/P1/P2, marked when escalation raised it above its rule's. */
export function Severity({ alert }: { alert: Pick<AlertSummary, 'severity' | 'ruleSeverity'> }) {
  const raised = alert.severity !== alert.ruleSeverity;
  return (
    <span
      class={`pill sev sev-${alert.severity.toLowerCase()}`}
      title={raised ? `raised from ${alert.ruleSeverity} by escalation` : undefined}
    >
      {alert.severity}
      {raised ? '↑' : ''}
    </span>
  );
}

/** Its state, and why nothing is sent when it is held back. */
export function AlertState({ alert }: { alert: AlertSummary }) {
  const held = alert.suppressed;
  return (
    <span>
      <span class={`pill tone-${TONE[alert.state]}`} data-state={alert.state}>
        {alert.state}
      </span>
      {held ? (
        <span class="dataset-sub">
          {held.by === 'silence' ? `silenced (#${held.silenceId})` : `held back by alert #${held.alertId}`}
        </span>
      ) : null}
      {alert.acknowledged ? <span class="dataset-sub">by {alert.acknowledged.by}</span> : null}
    </span>
  );
}

export function Labels({ labels }: { labels: Record<string, string> }) {
  return (
    <span class="mono alert-labels">
      {Object.entries(labels)
        .filter(([k]) => k !== 'rule' && k !== 'kind')
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}
    </span>
  );
}

export function Since({ iso }: { iso: string | null }) {
  return iso ? <time dateTime={iso}>{formatTime(Date.parse(iso))}</time> : <span class="muted">-</span>;
}

import type { StatusReport } from '../api/types';
import { useApp } from '../app-store';
import { JOBS_HREF, type Route } from '../route';
import { LiveIndicator } from './live-indicator';

function summary(report: StatusReport): { tone: string; text: string } {
  const total = report.datasets.length;
  if (total === 0) return { tone: 'muted', text: 'No datasets configured' };
  const unhealthy = report.datasets.filter((d) => d.status === 'unhealthy').length;
  const degraded = report.datasets.filter((d) => d.status === 'degraded').length;
  if (unhealthy === 0 && degraded === 0) {
    return {
      tone: 'good',
      text: total === 1 ? 'The dataset is healthy' : `All ${total} datasets are healthy`,
    };
  }
  const parts = [];
  if (unhealthy > 0) parts.push(`${unhealthy} unhealthy`);
  if (degraded > 0) parts.push(`${degraded} degraded`);
  return { tone: unhealthy > 0 ? 'bad' : 'warn', text: `${parts.join(', ')} of ${total} datasets` };
}

/**
 * The top bar: name, the two sections (datasets, jobs), one line saying whether
 * everything is healthy, and whether the page is live.
 */
export function Header({ route }: { route: Route }) {
  const { status, live } = useApp();
  const line = status.data ? summary(status.data) : undefined;
  const onJobs = route.page === 'jobs' || route.page === 'job';
  return (
    <header class="topbar">
      <a class="brand" href="#/">
        gapwarden
      </a>
      <nav class="sections" aria-label="Sections">
        <a href="#/" aria-current={onJobs ? undefined : 'page'}>
          Datasets
        </a>
        <a href={JOBS_HREF} aria-current={onJobs ? 'page' : undefined}>
          Jobs
        </a>
      </nav>
      {line ? (
        <p
          class={`overall tone-${line.tone}`}
          data-testid="overall"
          data-healthy={String(status.data?.healthy)}
        >
          <span class="dot" aria-hidden="true" />
          {line.text}
        </p>
      ) : (
        <p class="overall tone-muted" data-testid="overall">
          {status.error ? `Cannot reach the gapwarden server: ${status.error.message}` : 'Loading…'}
        </p>
      )}
      <LiveIndicator polled={status} live={live.state} />
    </header>
  );
}

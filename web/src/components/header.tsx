import type { StatusReport } from '../api/types';
import { useApp } from '../app-store';
import { AlertBadge } from '../modules/alerts/alert-badge';
import { moduleAt, modulesWithPages } from '../modules/module-pages';
import type { Route } from '../route';
import { LiveIndicator } from './live-indicator';

function summary(report: StatusReport): { tone: string; text: string } {
  // Said first: while the store cannot take writes, nothing else on the page stays true for long.
  if (!report.store.ok) return { tone: 'bad', text: `Store unhealthy: ${report.store.reasons.join('; ')}` };
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
 * The top bar: name, the sections (datasets, then a page per module the
 * server runs: jobs, ...), one line saying whether everything is healthy, and
 * whether the page is live.
 */
export function Header({ route }: { route: Route }) {
  const { status, live, modules } = useApp();
  const line = status.data ? summary(status.data) : undefined;
  const current = route.page === 'module' ? moduleAt(modules ?? [], route.path)?.module.name : undefined;
  const onModule = route.page === 'module';
  return (
    <header class="topbar">
      <a class="brand" href="#/">
        gapwarden
      </a>
      <nav class="sections" aria-label="Sections">
        <a href="#/" aria-current={onModule ? undefined : 'page'}>
          Datasets
        </a>
        {modulesWithPages(modules ?? []).map((m) => (
          <a
            key={m.name}
            href={`#${m.dashboard.path}`}
            aria-current={current === m.name ? 'page' : undefined}
          >
            {m.dashboard.title}
          </a>
        ))}
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
      <AlertBadge />
      <LiveIndicator polled={status} live={live.state} />
    </header>
  );
}

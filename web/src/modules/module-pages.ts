import type { JSX } from 'preact';
import type { DashboardPage, ModuleInfo } from '../api/types';
import { alertsPages } from './alerts/alerts-pages';
import { archivePages } from './archive/archive-page';
import { checksPages } from './checks/checks-pages';
import { jobsPages } from './jobs/jobs-pages';
import { rollupsPages } from './rollups/rollups-page';
import { streamsPages } from './streams/streams-page';

/** The dashboard side of a server module: what it shows under the path the module declares. */
export interface ModulePages {
  /** `rest`: the hash after the module's path, e.g. `''` or `/collect:draws`. */
  render(rest: string): JSX.Element;
}

/**
 * Pages by module name, as `GET /api/modules` names them. A module gets a link
 * in the navigation when the server runs it, declares a page and has an entry here.
 */
export const MODULE_PAGES: Readonly<Record<string, ModulePages>> = {
  jobs: jobsPages,
  alerts: alertsPages,
  checks: checksPages,
  rollups: rollupsPages,
  archive: archivePages,
  streams: streamsPages,
};

export type PagedModule = ModuleInfo & { dashboard: DashboardPage };

/** The modules with a page here, in the server's order. */
export function modulesWithPages(modules: readonly ModuleInfo[]): PagedModule[] {
  return modules.filter((m): m is PagedModule => m.dashboard !== null && MODULE_PAGES[m.name] !== undefined);
}

/** The module whose page `path` (a route such as `/jobs/collect:draws`) is in, and the rest of the path. */
export function moduleAt(
  modules: readonly ModuleInfo[],
  path: string,
): { module: PagedModule; pages: ModulePages; rest: string } | undefined {
  for (const m of modulesWithPages(modules)) {
    const base = m.dashboard.path;
    if (path === base || path.startsWith(`${base}/`))
      return { module: m, pages: MODULE_PAGES[m.name]!, rest: path.slice(base.length) };
  }
  return undefined;
}

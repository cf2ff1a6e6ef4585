import { useEffect, useState } from 'preact/hooks';

// Hash routing: `#/` is the overview, `#/datasets/<name>` one dataset; any other path is a
// module's page (`#/jobs`, `#/jobs/<id>`: see modules/module-pages.ts).

export type Route =
  | { page: 'overview' }
  | { page: 'dataset'; name: string }
  /** `path`: e.g. `/jobs` or `/jobs/collect:draws`; the module that declared it shows it. */
  | { page: 'module'; path: string };

export function parseRoute(hash: string): Route {
  const dataset = /^#\/datasets\/([^/?&]+)/.exec(hash);
  if (dataset?.[1]) return { page: 'dataset', name: decodeURIComponent(dataset[1]) };
  const path = /^#(\/[^?&]*?)\/?(?:$|[?&])/.exec(hash)?.[1];
  if (path && path !== '/') return { page: 'module', path };
  return { page: 'overview' };
}

export function datasetHref(name: string): string {
  return `#/datasets/${encodeURIComponent(name)}`;
}

/** The current route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

import { useEffect, useState } from 'preact/hooks';

// Hash routing: `#/` is the overview, `#/datasets/<name>` one dataset.

export type Route = { page: 'overview' } | { page: 'dataset'; name: string };

export function parseRoute(hash: string): Route {
  const match = /^#\/datasets\/([^/?&]+)/.exec(hash);
  if (match?.[1]) return { page: 'dataset', name: decodeURIComponent(match[1]) };
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

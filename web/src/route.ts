import { useEffect, useState } from 'preact/hooks';

// Hash routing: `#/` is the overview, `#/datasets/<name>` one dataset, `#/jobs` every job,
// `#/jobs/<id>` one job's run history.

export type Route =
  | { page: 'overview' }
  | { page: 'dataset'; name: string }
  | { page: 'jobs' }
  | { page: 'job'; id: string };

export function parseRoute(hash: string): Route {
  const dataset = /^#\/datasets\/([^/?&]+)/.exec(hash);
  if (dataset?.[1]) return { page: 'dataset', name: decodeURIComponent(dataset[1]) };
  const job = /^#\/jobs\/([^/?&]+)/.exec(hash);
  if (job?.[1]) return { page: 'job', id: decodeURIComponent(job[1]) };
  if (/^#\/jobs\/?(?:$|[?&])/.test(hash)) return { page: 'jobs' };
  return { page: 'overview' };
}

export function datasetHref(name: string): string {
  return `#/datasets/${encodeURIComponent(name)}`;
}

export const JOBS_HREF = '#/jobs';

/** A job's history page; ids such as `collect:draws` keep their colon, which a hash allows. */
export function jobHref(id: string): string {
  return `#/jobs/${encodeURIComponent(id).replace(/%3A/gi, ':')}`;
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

import type { ModulePages } from '../module-pages';
import { JobHistoryPage } from './job-history';
import { JobsPage } from './jobs-page';

/** `''`: every job; `/<id>`: one job's run history. */
export const jobsPages: ModulePages = {
  render(rest) {
    const id = /^\/([^/?&]+)/.exec(rest)?.[1];
    return id ? <JobHistoryPage id={decodeURIComponent(id)} key={id} /> : <JobsPage />;
  },
};

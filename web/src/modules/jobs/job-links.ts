// The jobs module's pages: `#/jobs` every job, `#/jobs/<id>` one job's run history
// (the server's jobs module declares the path `/jobs`).

export const JOBS_HREF = '#/jobs';

/** A job's history page; ids such as `collect:draws` keep their colon, which a hash allows. */
export function jobHref(id: string): string {
  return `#/jobs/${encodeURIComponent(id).replace(/%3A/gi, ':')}`;
}

import type { StorePart } from '../../store/store-part.js';
import type { JobStore } from './job-store.js';
import { createPostgresJobStore } from './postgres/postgres-job-store.js';
import { createSqliteJobStore } from './sqlite/sqlite-job-store.js';

/**
 * The jobs module's part of the store: `store.part(jobStorePart)` gives its
 * {@link JobStore} on whichever adapter the store uses.
 *
 * Its migration lists are empty on purpose: the `jobs` and `job_runs` tables
 * were created by the core's migration 2 before modules had store parts, and
 * released migrations are never edited nor moved, so they stay there. The
 * part's own versions start at 1 with its first change after that.
 */
export const jobStorePart: StorePart<JobStore> = {
  name: 'jobs',
  migrations: { sqlite: [], postgres: [] },
  sqlite: createSqliteJobStore,
  postgres: createPostgresJobStore,
};

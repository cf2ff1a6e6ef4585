import { type Clock, systemClock } from '../../internal/clock.js';
import type { JobStore } from '../job-store.js';
import type { Store } from '../store.js';
import { ALL_BACKFILL_STATES, createSqliteBackfillQueue } from './sqlite-backfill-queue.js';
import { createSqliteBackfillRuns } from './sqlite-backfill-runs.js';
import {
  guard,
  openSqliteDatabase,
  type SqliteDatabase,
  type SqliteStatement,
  toStoreError,
} from './sqlite-connection.js';
import { createSqliteCoverage } from './sqlite-coverage.js';
import { createSqliteDatasets } from './sqlite-datasets.js';
import { createSqliteJobs } from './sqlite-jobs.js';
import { applySqliteMigrations } from './sqlite-migrations.js';
import { createSqliteRecords } from './sqlite-records.js';
import { createSqliteSourceHealth } from './sqlite-source-health.js';

export interface SqliteStoreOptions {
  /** The database file (created when absent), or `':memory:'` for a private, throw-away store. */
  path: string;
  /**
   * Where the store reads time for the writes whose method takes no `nowMs`
   * (dataset registration, source health, migrations).
   * @default systemClock
   */
  clock?: Clock;
}

/** Every prepared statement, built once, after the schema exists. */
function prepareParts(db: SqliteDatabase) {
  const datasets = createSqliteDatasets(db);
  const coverage = createSqliteCoverage(db);
  const runs = createSqliteBackfillRuns(db);
  return {
    datasets,
    coverage,
    runs,
    records: createSqliteRecords(db, datasets),
    queue: createSqliteBackfillQueue(db, { datasets, runs, coverage }),
    sourceHealth: createSqliteSourceHealth(db),
    jobs: createSqliteJobs(db),
  };
}

/**
 * The embedded store: one SQLite file, shared safely by several processes
 * (WAL, `BEGIN IMMEDIATE` for every write, a 5 s busy timeout). The methods
 * are async to fit the `Store` contract, but the work is synchronous
 * better-sqlite3 underneath; every write method is a single transaction.
 * Failures are GapwardenErrors: `DATASET_UNKNOWN` for an unregistered
 * dataset, `STORE_FAILED` (cause kept; retryable when the file was busy) for
 * anything SQLite refuses.
 *
 * @example
 * const store = createSqliteStore({ path: 'gapwarden.db' });
 * await store.migrate();
 * await store.ensureDataset('draws');
 * const { inserted } = await store.ingest('draws', rows, 'ignore', Date.now());
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const clock = options.clock ?? systemClock;
  const db = openSqliteDatabase(options.path);
  let prepared: ReturnType<typeof prepareParts> | undefined;
  // Prepared on first use rather than here: before migrate() the tables may not exist yet.
  const parts = () => {
    prepared ??= prepareParts(db);
    return prepared;
  };
  let pingStatement: SqliteStatement | undefined;
  // Each job method, prepared on first use and with its failures translated like every other method.
  const job =
    <K extends keyof JobStore>(name: K) =>
    (...args: Parameters<JobStore[K]>): ReturnType<JobStore[K]> =>
      (async () => {
        try {
          return await (parts().jobs[name] as (...a: unknown[]) => ReturnType<JobStore[K]>)(...args);
        } catch (err) {
          throw toStoreError(`${name} (jobs)`, err);
        }
      })() as ReturnType<JobStore[K]>;

  return {
    ensureJobs: job('ensureJobs'),
    loadJobState: job('loadJobState'),
    setJobPaused: job('setJobPaused'),
    claimJobRun: job('claimJobRun'),
    renewJobLease: job('renewJobLease'),
    finishJobRun: job('finishJobRun'),
    releaseJobLease: job('releaseJobLease'),
    findAbandonedJobRuns: job('findAbandonedJobRuns'),
    recordSkippedRun: job('recordSkippedRun'),
    listJobRuns: job('listJobRuns'),
    pruneJobRuns: job('pruneJobRuns'),

    async migrate() {
      guard('migrating the SQLite schema', () => applySqliteMigrations(db, clock.now()));
    },
    async ping() {
      try {
        pingStatement ??= db.prepare('SELECT 1').pluck();
        return pingStatement.get() === 1;
      } catch {
        return false;
      }
    },
    async close() {
      if (db.open) db.close();
    },

    async ensureDataset(name) {
      guard(`registering dataset "${name}"`, () => parts().datasets.ensure(name, clock.now()));
    },
    async listDatasets() {
      return guard('listing datasets', () => parts().datasets.list());
    },

    async ingest(dataset, rows, mode, nowMs) {
      return guard(`ingesting ${rows.length} records into "${dataset}"`, () => {
        const p = parts();
        return p.records.ingest(p.datasets.idOf(dataset), rows, mode, nowMs);
      });
    },
    async countRejected(dataset, n) {
      guard(`counting rejected records of "${dataset}"`, () => {
        const p = parts();
        p.datasets.countRejected(p.datasets.idOf(dataset), n);
      });
    },
    async stats(dataset) {
      return guard(`reading stats of "${dataset}"`, () => {
        const p = parts();
        return p.datasets.stats(p.datasets.idOf(dataset));
      });
    },
    async loadCoverage(dataset) {
      return guard(`loading coverage of "${dataset}"`, () => {
        const p = parts();
        return p.coverage.loadCoverage(p.datasets.idOf(dataset));
      });
    },
    async listRecords(dataset, { limit, beforeOrdinal }) {
      return guard(`listing records of "${dataset}"`, () => {
        const p = parts();
        return p.records.list(p.datasets.idOf(dataset), limit, beforeOrdinal);
      });
    },
    async recordsBetween(dataset, from, to) {
      return guard(`reading records of "${dataset}" between ${from} and ${to}`, () => {
        const p = parts();
        return p.records.between(p.datasets.idOf(dataset), from, to);
      });
    },

    async addKnownMissing(dataset, ordinals, reason, nowMs) {
      guard(`marking ${ordinals.length} partitions of "${dataset}" known missing`, () => {
        const p = parts();
        p.coverage.addKnownMissing(p.datasets.idOf(dataset), ordinals, reason, nowMs);
      });
    },
    async loadKnownMissing(dataset) {
      return guard(`loading known-missing partitions of "${dataset}"`, () => {
        const p = parts();
        return p.coverage.loadKnownMissing(p.datasets.idOf(dataset));
      });
    },

    async createBackfillRun(dataset, trigger, ordinals, nowMs) {
      return guard(`queueing a backfill of ${ordinals.length} partitions of "${dataset}"`, () => {
        const p = parts();
        return p.queue.createRun(p.datasets.idOf(dataset), trigger, ordinals, nowMs);
      });
    },
    async claimBackfill(nowMs, limit, leaseMs, dataset) {
      return guard('claiming backfill items', () => {
        const p = parts();
        const datasetId = dataset === undefined ? undefined : p.datasets.idOf(dataset);
        return p.queue.claim(nowMs, limit, leaseMs, datasetId);
      });
    },
    async settleBackfill(settlements, nowMs) {
      return guard(`settling ${settlements.length} backfill items`, () =>
        parts().queue.settle(settlements, nowMs),
      );
    },
    async listBackfillItems(dataset, options = {}) {
      return guard(`listing backfill items of "${dataset}"`, () => {
        const p = parts();
        const states = options.states ?? ALL_BACKFILL_STATES;
        // LIMIT -1 is SQLite for "no limit".
        return p.queue.list(p.datasets.idOf(dataset), states, options.limit ?? -1);
      });
    },
    async countBackfillItems(dataset) {
      return guard(`counting backfill items of "${dataset}"`, () => {
        const p = parts();
        return p.queue.count(p.datasets.idOf(dataset));
      });
    },
    async listBackfillRuns(dataset, limit) {
      return guard('listing backfill runs', () => {
        const p = parts();
        return p.runs.list(dataset === undefined ? undefined : p.datasets.idOf(dataset), limit);
      });
    },
    async getBackfillRun(id) {
      return guard(`reading backfill run ${id}`, () => parts().runs.get(id));
    },

    async saveSourceHealth(dataset, health) {
      guard(`saving the health of source "${health.source}" of "${dataset}"`, () => {
        const p = parts();
        p.sourceHealth.save(p.datasets.idOf(dataset), health, clock.now());
      });
    },
    async loadSourceHealth(dataset) {
      return guard(`loading source health of "${dataset}"`, () => {
        const p = parts();
        return p.sourceHealth.load(p.datasets.idOf(dataset));
      });
    },
  };
}

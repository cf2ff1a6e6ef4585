import { type Clock, systemClock } from '../../internal/clock.js';
import { type Logger, silentLogger } from '../../internal/logger.js';
import type { Store } from '../store.js';
import { createStoreHealthTracker } from '../store-health.js';
import { createStorePartRegistry } from '../store-part.js';
import { createSqliteActivity } from './sqlite-activity.js';
import { ALL_BACKFILL_STATES, createSqliteBackfillQueue } from './sqlite-backfill-queue.js';
import { createSqliteBackfillRuns } from './sqlite-backfill-runs.js';
import type {
  SqliteDatabase,
  SqliteHandle,
  SqliteInsertListener,
  SqliteStatement,
} from './sqlite-connection.js';
import { createSqliteCoverage } from './sqlite-coverage.js';
import { createSqliteDatasets } from './sqlite-datasets.js';
import { applySqliteMigrations, applySqlitePartMigrations } from './sqlite-migrations.js';
import { createSqlitePurge } from './sqlite-purge.js';
import { createSqliteRecords } from './sqlite-records.js';
import { createSqliteSourceHealth } from './sqlite-source-health.js';
import { createSqliteSourceNewest } from './sqlite-source-newest.js';
import { openSqliteStoreFile, type SqliteCreatePolicy, type SqliteDurability } from './sqlite-store-file.js';
import { createSqliteStoreMonitor, type SqliteStoreMonitor } from './sqlite-store-monitor.js';

export interface SqliteStoreOptions {
  /** The database file (created when absent), or `':memory:'` for a private, throw-away store. */
  path: string;
  /**
   * Where the store reads time for the writes whose method takes no `nowMs`
   * (dataset registration, source health, migrations).
   * @default systemClock
   */
  clock?: Clock;
  /**
   * `full`: every acknowledged write survives a power cut (SQLite syncs each
   * commit); `normal`: faster, but a power cut may lose the last commits.
   * @default 'full'
   */
  durability?: SqliteDurability;
  /**
   * When the file is absent: `first-run` creates it unless a store existed
   * at that path before (then `STORE_MISSING`); `always` creates it anyway;
   * `never` refuses.
   * @default 'first-run'
   */
  create?: SqliteCreatePolicy;
  /** Where store problems and recoveries are logged. @default a logger that drops everything */
  logger?: Logger;
}

/** Every prepared statement, built once, after the schema exists. */
function prepareParts(db: SqliteDatabase) {
  const datasets = createSqliteDatasets(db);
  const coverage = createSqliteCoverage(db);
  const runs = createSqliteBackfillRuns(db);
  const activity = createSqliteActivity(db);
  return {
    datasets,
    coverage,
    runs,
    activity,
    records: createSqliteRecords(db, datasets, activity),
    queue: createSqliteBackfillQueue(db, { datasets, runs, coverage }),
    sourceHealth: createSqliteSourceHealth(db),
    sourceNewest: createSqliteSourceNewest(db),
    purge: createSqlitePurge(db, { datasets, runs }),
  };
}

/**
 * The embedded store: one SQLite file, shared safely by several processes
 * (WAL, `BEGIN IMMEDIATE` for every write, a 5 s busy timeout). The methods
 * are async to fit the `Store` contract, but the work is synchronous
 * better-sqlite3 underneath; every write method is a single transaction.
 * Failures are GapwardenErrors: `DATASET_UNKNOWN` for an unregistered
 * dataset, `STORE_FAILED` (cause kept; retryable when the file was busy) for
 * anything SQLite refuses, `STORE_UNAVAILABLE` naming the file when the disk
 * is full, the file read-only, or deleted while open (writes are then
 * refused), `STORE_MISSING` when a store that existed at `path` is gone.
 *
 * @example
 * const store = createSqliteStore({ path: 'gapwarden.db' });
 * await store.migrate();
 * await store.ensureDataset('draws');
 * const { inserted } = await store.ingest('draws', rows, 'ignore', Date.now());
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const { db, identity } = openSqliteStoreFile(options.path, {
    durability: options.durability ?? 'full',
    create: options.create ?? 'first-run',
    logger,
  });
  const tracker = createStoreHealthTracker({ store: `sqlite:${options.path}`, logger, clock });
  const monitor = createSqliteStoreMonitor({ db, path: options.path, identity, tracker });
  return createSqliteStoreOn(monitor, clock);
}

/** The store's methods over an open database: every write through `write`, every read through `read`. */
function createSqliteStoreOn(monitor: SqliteStoreMonitor, clock: Clock): Store {
  const { db, write, read } = monitor;
  let prepared: ReturnType<typeof prepareParts> | undefined;
  // Prepared on first use rather than here: before migrate() the tables may not exist yet.
  const parts = () => {
    prepared ??= prepareParts(db);
    return prepared;
  };
  const insertListeners = new Set<SqliteInsertListener>();
  const partHandle: SqliteHandle = {
    db,
    write,
    read,
    onInserted(listener) {
      insertListeners.add(listener);
      return () => insertListeners.delete(listener);
    },
  };
  const registry = createStorePartRegistry((def) => def.sqlite(partHandle));
  // Only prepared once a part listens to inserts: the ingest of a store without one is unchanged.
  let maxRowid: SqliteStatement | undefined;

  return {
    part: registry.part,
    async migrate() {
      write('migrating the SQLite schema', () => {
        applySqliteMigrations(db, clock.now());
        for (const def of registry.registered())
          applySqlitePartMigrations(db, def.name, def.migrations.sqlite, clock.now());
      });
    },
    ping: async () => monitor.ping(),
    health: () => monitor.health(),
    async close() {
      if (db.open) db.close();
    },

    async ensureDataset(name) {
      write(`registering dataset "${name}"`, () => parts().datasets.ensure(name, clock.now()));
    },
    async listDatasets() {
      return read('listing datasets', () => parts().datasets.list());
    },

    async ingest(dataset, rows, mode, nowMs, origin = 'ingest') {
      return write(`ingesting ${rows.length} records into "${dataset}"`, () => {
        const p = parts();
        const datasetId = p.datasets.idOf(dataset);
        if (insertListeners.size === 0) return p.records.ingest(datasetId, rows, mode, nowMs, origin);
        maxRowid ??= db.prepare('SELECT coalesce(max(rowid), 0) FROM records').pluck();
        const before = Number(maxRowid.get());
        const written = p.records.ingest(datasetId, rows, mode, nowMs, origin);
        if (written.inserted.length > 0) {
          const keys = written.inserted.length === rows.length ? undefined : new Set(written.inserted);
          const inserted = {
            dataset,
            datasetId,
            before,
            after: Number(maxRowid.get()),
            rows: keys ? rows.filter((r) => keys.has(r.key)) : rows,
            nowMs,
          };
          for (const listener of insertListeners) listener(inserted);
        }
        return written;
      });
    },
    async listActivity(dataset, fromMs, toMs, bucketMs) {
      return read(`reading the activity of "${dataset}"`, () => {
        const p = parts();
        return p.activity.list(p.datasets.idOf(dataset), fromMs, toMs, bucketMs);
      });
    },
    async countRejected(dataset, n) {
      write(`counting rejected records of "${dataset}"`, () => {
        const p = parts();
        p.datasets.countRejected(p.datasets.idOf(dataset), n);
      });
    },
    async stats(dataset) {
      return read(`reading stats of "${dataset}"`, () => {
        const p = parts();
        return p.datasets.stats(p.datasets.idOf(dataset));
      });
    },
    async loadCoverage(dataset) {
      return read(`loading coverage of "${dataset}"`, () => {
        const p = parts();
        return p.coverage.loadCoverage(p.datasets.idOf(dataset));
      });
    },
    async listRecords(dataset, { limit, beforeOrdinal }) {
      return read(`listing records of "${dataset}"`, () => {
        const p = parts();
        return p.records.list(p.datasets.idOf(dataset), limit, beforeOrdinal);
      });
    },
    async recordsBetween(dataset, from, to) {
      return read(`reading records of "${dataset}" between ${from} and ${to}`, () => {
        const p = parts();
        return p.records.between(p.datasets.idOf(dataset), from, to);
      });
    },

    async addKnownMissing(dataset, ordinals, reason, nowMs) {
      write(`marking ${ordinals.length} partitions of "${dataset}" known missing`, () => {
        const p = parts();
        p.coverage.addKnownMissing(p.datasets.idOf(dataset), ordinals, reason, nowMs);
      });
    },
    async loadKnownMissing(dataset) {
      return read(`loading known-missing partitions of "${dataset}"`, () => {
        const p = parts();
        return p.coverage.loadKnownMissing(p.datasets.idOf(dataset));
      });
    },

    async createBackfillRun(dataset, trigger, ordinals, nowMs) {
      return write(`queueing a backfill of ${ordinals.length} partitions of "${dataset}"`, () => {
        const p = parts();
        return p.queue.createRun(p.datasets.idOf(dataset), trigger, ordinals, nowMs);
      });
    },
    async openBackfillRun(dataset, trigger, from, to, nowMs) {
      return write(`opening a backfill run over ${from}..${to} of "${dataset}"`, () => {
        const p = parts();
        return p.queue.openRun(p.datasets.idOf(dataset), trigger, from, to, nowMs);
      });
    },
    async listFeedingBackfillRuns(dataset) {
      return read(`listing backfill runs of "${dataset}" still being queued`, () => {
        const p = parts();
        return p.runs.feeding(p.datasets.idOf(dataset));
      });
    },
    async feedBackfillRun(runId, expectedThrough, ordinals, through, nowMs) {
      return write(`queueing ${ordinals.length} more partitions into backfill run ${runId}`, () =>
        parts().queue.feed(runId, expectedThrough, ordinals, through, nowMs),
      );
    },
    async claimBackfill(nowMs, limit, leaseMs, dataset, claimer) {
      return write('claiming backfill items', () => {
        const p = parts();
        const datasetId = dataset === undefined ? undefined : p.datasets.idOf(dataset);
        return p.queue.claim(nowMs, limit, leaseMs, datasetId, claimer);
      });
    },
    async listBackfillHolders(nowMs) {
      return read('listing the holders of backfill leases', () => parts().queue.holders(nowMs));
    },
    async settleBackfill(settlements, nowMs) {
      return write(`settling ${settlements.length} backfill items`, () =>
        parts().queue.settle(settlements, nowMs),
      );
    },
    async listBackfillItems(dataset, options = {}) {
      return read(`listing backfill items of "${dataset}"`, () => {
        const p = parts();
        const states = options.states ?? ALL_BACKFILL_STATES;
        // LIMIT -1 is SQLite for "no limit".
        return p.queue.list(p.datasets.idOf(dataset), states, options.limit ?? -1);
      });
    },
    async countBackfillItems(dataset) {
      return read(`counting backfill items of "${dataset}"`, () => {
        const p = parts();
        return p.queue.count(p.datasets.idOf(dataset));
      });
    },
    async listBackfillRuns(dataset, limit) {
      return read('listing backfill runs', () => {
        const p = parts();
        return p.runs.list(dataset === undefined ? undefined : p.datasets.idOf(dataset), limit);
      });
    },
    async getBackfillRun(id) {
      return read(`reading backfill run ${id}`, () => parts().runs.get(id));
    },

    async noteSourceNewest(dataset, ordinal) {
      write(`noting the newest partition the sources of "${dataset}" delivered`, () => {
        const p = parts();
        p.sourceNewest.note(p.datasets.idOf(dataset), ordinal);
      });
    },
    async loadSourceNewest(dataset) {
      return read(`loading the newest partition the sources of "${dataset}" delivered`, () => {
        const p = parts();
        return p.sourceNewest.load(p.datasets.idOf(dataset));
      });
    },
    async purgePartitions(dataset, request, nowMs) {
      return write(`purging partitions ${request.from}..${request.to} of "${dataset}"`, () => {
        const p = parts();
        return p.purge.purge(p.datasets.idOf(dataset), request, nowMs);
      });
    },
    async listPurges(dataset, limit) {
      return read(`listing purges of "${dataset}"`, () => {
        const p = parts();
        return p.purge.list(p.datasets.idOf(dataset), limit);
      });
    },

    async saveSourceHealth(dataset, health) {
      write(`saving the health of source "${health.source}" of "${dataset}"`, () => {
        const p = parts();
        p.sourceHealth.save(p.datasets.idOf(dataset), health, clock.now());
      });
    },
    async loadSourceHealth(dataset) {
      return read(`loading source health of "${dataset}"`, () => {
        const p = parts();
        return p.sourceHealth.load(p.datasets.idOf(dataset));
      });
    },
  };
}

import { SCHEMA_NAME } from '../../config/postgres-schema-name.js';
import { type Clock, systemClock } from '../../internal/clock.js';
import { GapwardenError } from '../../internal/errors.js';
import { type Logger, silentLogger } from '../../internal/logger.js';
import type { Store } from '../store.js';
import { createStoreHealthTracker } from '../store-health.js';
import { createStorePartRegistry } from '../store-part.js';
import { createPostgresActivity } from './postgres-activity.js';
import { ALL_BACKFILL_STATES, createPostgresBackfillQueue } from './postgres-backfill-queue.js';
import { createPostgresBackfillRuns } from './postgres-backfill-runs.js';
import {
  createPostgresExecutor,
  describePostgresTarget,
  type PgClient,
  type PostgresRetryOptions,
} from './postgres-connection.js';
import { createPostgresCoverage } from './postgres-coverage.js';
import { createPostgresDatasets } from './postgres-datasets.js';
import { applyPostgresMigrations, applyPostgresPartMigrations } from './postgres-migrations.js';
import { createPostgresPurge } from './postgres-purge.js';
import { createPostgresRecords } from './postgres-records.js';
import { createPostgresSourceHealth } from './postgres-source-health.js';
import { createPostgresSourceNewest } from './postgres-source-newest.js';

export interface PostgresStoreOptions {
  /**
   * `postgres://user:password@host:5432/database`. A secret: logs and error
   * messages name only `host:port/database`.
   */
  url: string;
  /** Schema for gapwarden's tables, created by `migrate()`. @default the server's search_path (usually `public`) */
  schema?: string;
  /** Connections at most. @default 10 */
  poolSize?: number;
  /** How long to wait for a new connection; a reader waits no longer while the server is down. @default 2000 */
  connectTimeoutMs?: number;
  /** Retrying of operations that failed because the server was unreachable or restarting. */
  retry?: PostgresRetryOptions;
  /** Time for writes whose method takes no `nowMs` (dataset registration, source health, migrations). @default systemClock */
  clock?: Clock;
  /** @default a logger that drops everything */
  logger?: Logger;
}

/** Connections a full coverage load uses at once: measured fastest on 2 cores (see postgres-coverage.ts). */
const COVERAGE_CONNECTIONS = 2;

/**
 * The server store: PostgreSQL through a pool of `pg` connections, shared
 * safely by any number of gapwarden processes. Every write method is one
 * transaction; ingest COPYs a batch into a temporary table and moves it with
 * one INSERT ... ON CONFLICT; backfill claims use `FOR UPDATE SKIP LOCKED`;
 * migrations run under an advisory lock. An operation that fails because the
 * server is unreachable or restarting is retried with backoff (writes; a
 * read retries only a connection that broke under it, and fails at once
 * while no connection can be made); a COMMIT whose connection was lost is
 * resolved by asking the server whether it committed. Past
 * `retry.maxElapsedMs` it rejects with `STORE_UNAVAILABLE`. Other failures
 * are `STORE_FAILED` (cause kept), an unregistered dataset `DATASET_UNKNOWN`.
 *
 * @example
 * const store = createPostgresStore({ url: process.env.DATABASE_URL! });
 * await store.migrate();
 * await store.ensureDataset('draws');
 * const { inserted } = await store.ingest('draws', rows, 'ignore', Date.now());
 */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new GapwardenError(
      'STORE_FAILED',
      `invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _ (at most 63, not starting with a digit)`,
    );
  }
  const poolSize = options.poolSize ?? 10;
  const exec = createPostgresExecutor({
    url: options.url,
    schema,
    poolSize,
    connectTimeoutMs: options.connectTimeoutMs ?? 2_000,
    retry: { maxElapsedMs: 10_000, initialDelayMs: 50, maxDelayMs: 2_000, ...options.retry },
    logger,
    tracker: createStoreHealthTracker({ store: describePostgresTarget(options.url), logger, clock }),
  });
  const datasets = createPostgresDatasets();
  const coverage = createPostgresCoverage(exec, Math.max(1, Math.min(COVERAGE_CONNECTIONS, poolSize)));
  const runs = createPostgresBackfillRuns();
  const activity = createPostgresActivity();
  const records = createPostgresRecords(datasets);
  const queue = createPostgresBackfillQueue({ datasets, runs, coverage });
  const sourceHealth = createPostgresSourceHealth();
  const sourceNewest = createPostgresSourceNewest();
  const purges = createPostgresPurge({ datasets, runs });
  const registry = createStorePartRegistry((def) => def.postgres(exec));

  /** A read (or idempotent write) on one dataset: resolves its id first, so an unknown name is DATASET_UNKNOWN. */
  const onDataset = <T>(what: string, dataset: string, fn: (c: PgClient, id: number) => Promise<T>) =>
    exec.read(what, async (c) => fn(c, await datasets.idOf(c, dataset)));
  const inDatasetTx = <T>(what: string, dataset: string, fn: (c: PgClient, id: number) => Promise<T>) =>
    exec.transaction(what, async (c) => fn(c, await datasets.idOf(c, dataset)));
  const datasetIdOf = (what: string, dataset: string) => exec.read(what, (c) => datasets.idOf(c, dataset));

  return {
    part: registry.part,
    async migrate() {
      const applied = await exec.transaction('migrating the PostgreSQL schema', async (c) => {
        const core = await applyPostgresMigrations(c, schema, clock.now());
        const parts: Record<string, number[]> = {};
        for (const def of registry.registered()) {
          const done = await applyPostgresPartMigrations(c, def.name, def.migrations.postgres, clock.now());
          if (done.length > 0) parts[def.name] = done;
        }
        return { core, parts };
      });
      if (applied.core.length > 0 || Object.keys(applied.parts).length > 0) {
        logger.info({
          msg: 'store migrated',
          store: exec.target,
          schema: schema ?? null,
          applied: applied.core,
          ...(Object.keys(applied.parts).length > 0 ? { parts: applied.parts } : {}),
        });
      }
    },
    ping: () => exec.ping(),
    health: () => exec.health(),
    close: () => exec.close(),

    async ensureDataset(name) {
      await exec.read(`registering dataset "${name}"`, (c) => datasets.ensure(c, name, clock.now()));
    },
    listDatasets: () => exec.read('listing datasets', (c) => datasets.list(c)),

    async ingest(dataset, rows, mode, nowMs, origin = 'ingest') {
      const what = `ingesting ${rows.length} records into "${dataset}"`;
      if (rows.length === 0) {
        await datasetIdOf(what, dataset);
        return { inserted: [], updated: [], insertedOrdinals: [] };
      }
      return inDatasetTx(what, dataset, (c, id) => records.ingest(c, id, rows, mode, nowMs, origin));
    },
    listActivity: (dataset, fromMs, toMs, bucketMs) =>
      onDataset(`reading the activity of "${dataset}"`, dataset, (c, id) =>
        activity.list(c, id, fromMs, toMs, bucketMs),
      ),
    async countRejected(dataset, n) {
      await inDatasetTx(`counting rejected records of "${dataset}"`, dataset, (c, id) =>
        datasets.countRejected(c, id, n),
      );
    },
    stats: (dataset) => onDataset(`reading stats of "${dataset}"`, dataset, (c, id) => datasets.stats(c, id)),
    async loadCoverage(dataset) {
      return coverage.loadCoverage(await datasetIdOf(`loading coverage of "${dataset}"`, dataset));
    },
    listRecords: (dataset, { limit, beforeOrdinal }) =>
      onDataset(`listing records of "${dataset}"`, dataset, (c, id) =>
        records.list(c, id, limit, beforeOrdinal),
      ),
    recordsBetween: (dataset, from, to) =>
      onDataset(`reading records of "${dataset}" between ${from} and ${to}`, dataset, (c, id) =>
        records.between(c, id, from, to),
      ),

    async addKnownMissing(dataset, ordinals, reason, nowMs) {
      // One INSERT ... ON CONFLICT DO NOTHING: idempotent, so retried like a read.
      await onDataset(
        `marking ${ordinals.length} partitions of "${dataset}" known missing`,
        dataset,
        (c, id) => coverage.insertKnownMissing(c, id, ordinals, reason, nowMs),
      );
    },
    async loadKnownMissing(dataset) {
      return coverage.loadKnownMissing(
        await datasetIdOf(`loading known-missing partitions of "${dataset}"`, dataset),
      );
    },

    createBackfillRun: (dataset, trigger, ordinals, nowMs) =>
      inDatasetTx(`queueing a backfill of ${ordinals.length} partitions of "${dataset}"`, dataset, (c, id) =>
        queue.createRun(c, id, trigger, ordinals, nowMs),
      ),
    openBackfillRun: (dataset, trigger, from, to, nowMs) =>
      inDatasetTx(`opening a backfill run over ${from}..${to} of "${dataset}"`, dataset, (c, id) =>
        queue.openRun(c, id, trigger, from, to, nowMs),
      ),
    listFeedingBackfillRuns: (dataset) =>
      onDataset(`listing backfill runs of "${dataset}" still being queued`, dataset, (c, id) =>
        runs.feeding(c, id),
      ),
    feedBackfillRun: (runId, expectedThrough, ordinals, through, nowMs) =>
      exec.transaction(`queueing ${ordinals.length} more partitions into backfill run ${runId}`, (c) =>
        queue.feed(c, runId, expectedThrough, ordinals, through, nowMs),
      ),
    claimBackfill: (nowMs, limit, leaseMs, dataset, claimer) =>
      exec.transaction('claiming backfill items', async (c) =>
        queue.claim(
          c,
          nowMs,
          limit,
          leaseMs,
          dataset === undefined ? undefined : await datasets.idOf(c, dataset),
          claimer,
        ),
      ),
    listBackfillHolders: (nowMs) =>
      exec.read('listing the holders of backfill leases', (c) => queue.holders(c, nowMs)),
    async settleBackfill(settlements, nowMs) {
      if (settlements.length === 0) return [];
      return exec.transaction(`settling ${settlements.length} backfill items`, (c) =>
        queue.settle(c, settlements, nowMs),
      );
    },
    listBackfillItems: (dataset, options = {}) =>
      onDataset(`listing backfill items of "${dataset}"`, dataset, (c, id) =>
        queue.list(c, id, options.states ?? ALL_BACKFILL_STATES, options.limit ?? null),
      ),
    countBackfillItems: (dataset) =>
      onDataset(`counting backfill items of "${dataset}"`, dataset, (c, id) => queue.count(c, id)),
    listBackfillRuns: (dataset, limit) =>
      exec.read('listing backfill runs', async (c) =>
        runs.list(c, dataset === undefined ? undefined : await datasets.idOf(c, dataset), limit),
      ),
    getBackfillRun: (id) => exec.read(`reading backfill run ${id}`, (c) => runs.get(c, id)),

    async noteSourceNewest(dataset, ordinal) {
      await onDataset(`noting the newest partition the sources of "${dataset}" delivered`, dataset, (c, id) =>
        sourceNewest.note(c, id, ordinal),
      );
    },
    loadSourceNewest: (dataset) =>
      onDataset(`loading the newest partition the sources of "${dataset}" delivered`, dataset, (c, id) =>
        sourceNewest.load(c, id),
      ),
    purgePartitions: (dataset, request, nowMs) =>
      inDatasetTx(`purging partitions ${request.from}..${request.to} of "${dataset}"`, dataset, (c, id) =>
        purges.purge(c, id, request, nowMs),
      ),
    listPurges: (dataset, limit) =>
      onDataset(`listing purges of "${dataset}"`, dataset, (c, id) => purges.list(c, id, limit)),

    async saveSourceHealth(dataset, health) {
      await onDataset(`saving the health of source "${health.source}" of "${dataset}"`, dataset, (c, id) =>
        sourceHealth.save(c, id, health, clock.now()),
      );
    },
    loadSourceHealth: (dataset) =>
      onDataset(`loading source health of "${dataset}"`, dataset, (c, id) => sourceHealth.load(c, id)),
  };
}

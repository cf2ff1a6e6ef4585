import { createBackfillFeeder } from '../backfill/backfill-feeder.js';
import { type BackfillPlan, planBackfill } from '../backfill/backfill-plan.js';
import { type BackfillWorker, createBackfillWorker } from '../backfill/backfill-worker.js';
import { noteSourceNewest } from '../backfill/source-newest.js';
import type { CompiledConfig } from '../config/compiled-config.js';
import { DatasetCoverage } from '../coverage/dataset-coverage.js';
import { GapDetections } from '../coverage/gap-detections.js';
import type { Range } from '../domain/range-set.js';
import type { SourceHealth } from '../domain/source-health.js';
import { confirmGaps } from '../ingest/confirm-gaps.js';
import type { DatasetRuntime } from '../ingest/dataset-runtime.js';
import { createIngestor, type Ingestor, type IngestResult } from '../ingest/ingestor.js';
import type { Clock } from '../internal/clock.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import type { Redact } from '../internal/redactor.js';
import { createDatasetSource } from '../sources/create-dataset-source.js';
import type { BackfillRun, Store } from '../store/store.js';
import { deriveDatasetStatus } from './dataset-status.js';
import { describeGaps } from './describe-gaps.js';
import { createDueSinceStart } from './due-since-start.js';
import { type PurgeOptions, type PurgeResult, purgeRequest } from './purge-partitions.js';
import { createSourceHealthSaver } from './source-health-saver.js';
import type { GapInfo, StatusReport } from './status-report.js';
import { type BackfillReport, waitForRun } from './wait-for-run.js';

export type { BackfillReport } from './wait-for-run.js';

export interface CoreOptions {
  config: CompiledConfig;
  store: Store;
  clock: Clock;
  /** Already masking secrets (see `redactingLogger`). */
  logger: Logger;
  events: EventBus;
  /** Masks secrets in what sources throw and in the error text stored. */
  redact: Redact;
  /** For tests and embedding: the fetch HTTP sources use. */
  fetch?: typeof fetch;
  /** Backfill poll interval when nothing wakes it. @default 500 */
  pollMs?: number;
}

/** What `start` starts of the core loop. */
export interface CoreStartOptions {
  /** Start the backfill worker. @default true */
  backfill?: boolean;
  /** Queue a backfill of every open gap found at start. @default true */
  queueOpenGaps?: boolean;
}

/**
 * The core loop: datasets, ingest, coverage and gaps, backfill, status and
 * purges over one store. Modules (see `module.ts`) build on it; the engine
 * (`engine/engine.ts`) composes it with them.
 */
export interface Core {
  readonly config: CompiledConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly logger: Logger;
  /** Migrates the store and rebuilds coverage from it. Called by `start`. */
  open(): Promise<void>;
  /** Whether `open()` finished: migrations done and coverage loaded. */
  isOpen(): boolean;
  /** The names of the configured datasets, in config order. */
  datasetNames(): string[];
  /** Opens, queues backfills for open gaps, and starts the backfill worker. */
  start(options?: CoreStartOptions): Promise<void>;
  /** Stops the backfill worker (letting requests in flight settle) and closes the store. */
  stop(): Promise<void>;
  dataset(name: string): DatasetRuntime;
  ingest(dataset: string, records: readonly unknown[], options?: { source?: string }): Promise<IngestResult>;
  /**
   * Calls the dataset's `latest` request once and ingests what it returns; `signal` cancels
   * the request. With `source`, only that source is called (no failover to the others).
   */
  collect(dataset: string, options?: { signal?: AbortSignal; source?: string }): Promise<IngestResult>;
  gaps(dataset: string, options?: { from?: number; to?: number; limit?: number }): Promise<GapInfo[]>;
  status(): Promise<StatusReport>;
  /** Rebuilds coverage from the stored records; returns how long each dataset took. */
  reconcile(dataset?: string): Promise<{ dataset: string; ms: number; present: number; gaps: number }[]>;
  /** What a backfill of `[from, to]` (raw partition values) would request: ranges and counts. */
  planBackfill(dataset: string, options?: { from?: unknown; to?: unknown }): BackfillPlan;
  /**
   * Queues a backfill run and wakes the worker: for a plan (or any ordinal span), a run
   * over its open gaps that queues `backfill.maxQueued` partitions at most at once and
   * the rest as the queue drains; for a (bounded) list of ordinals, exactly those.
   */
  queueBackfill(
    dataset: string,
    target: readonly number[] | { fromOrdinal: number | null; toOrdinal: number | null },
    trigger: BackfillRun['trigger'],
  ): Promise<BackfillRun>;
  /**
   * Deletes records and/or clears known-missing marks in a range (recorded in the store,
   * logged), reloads the dataset's coverage and queues the gaps that reappear.
   */
  purge(dataset: string, options: PurgeOptions): Promise<PurgeResult>;
  /** Waits for a run to finish (or to wait only on partitions not published yet), reporting progress. */
  waitForRun(runId: number, onProgress?: (run: BackfillRun) => void): Promise<BackfillReport>;
  /** Resolves once the backfill worker has nothing due. */
  backfillIdle(): Promise<void>;
}

/** Purges by other processes whose ranges are backfilled again after a reload (the newest ones). */
const FOREIGN_PURGES_READ = 20;

/** Open gaps per dataset that `status()` checks against the store (one indexed read each). */
const STATUS_GAPS_CONFIRMED = 100;

/**
 * Creates the core loop. Nothing runs until `open()` or `start()`. Secrets
 * are masked where error text to be stored is made: source health here,
 * backfill outcomes in the worker (job runs in the scheduler).
 */
export function createCore(options: CoreOptions): Core {
  const { config, store, clock, logger, events, redact } = options;
  const datasets = new Map<string, DatasetRuntime>();
  const feeder = createBackfillFeeder({ store, clock, logger });
  // Saved after calls too (throttled), so `status` in another process shows a real lastSuccessAt.
  // The saved error text is masked here: the store keeps what it is given.
  const healthSaver = createSourceHealthSaver({
    store: {
      saveSourceHealth: (dataset, health) =>
        store.saveSourceHealth(dataset, {
          ...health,
          lastError: health.lastError === null ? null : redact(health.lastError),
        }),
    },
    clock,
    logger,
  });
  const dueSinceStart = createDueSinceStart();
  /** The newest purge of each dataset this process's coverage reflects (another process may purge too). */
  const purgesSeen = new Map<string, number>();
  let worker: BackfillWorker | undefined;
  let opened = false;

  for (const ds of config.datasets) {
    const source = createDatasetSource(ds, {
      clock,
      logger: logger.child({ dataset: ds.name }),
      redact,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      onStateChange: (health) => {
        events.emit('source:state', {
          dataset: ds.name,
          source: health.source,
          state: health.state,
          ...(health.lastError ? { error: health.lastError } : {}),
        });
        logger.warn({
          msg: 'source state changed',
          dataset: ds.name,
          source: health.source,
          state: health.state,
          error: health.lastError,
        });
        healthSaver.note(ds.name, health, true);
      },
      onCallSettled: (health) => healthSaver.note(ds.name, health, false),
      onRequest: (report) => events.emit('source:request', { dataset: ds.name, ...report }),
    });
    datasets.set(ds.name, {
      config: ds,
      coverage: new DatasetCoverage(ds.partitioning),
      detections: new GapDetections(),
      source,
    });
  }

  const dataset = (name: string): DatasetRuntime => {
    const rt = datasets.get(name);
    if (!rt) {
      const known = [...datasets.keys()].join(', ') || 'none';
      throw new GapwardenError('DATASET_UNKNOWN', `unknown dataset "${name}" (configured: ${known})`);
    }
    return rt;
  };

  /** Opens a run over the span of `gaps`: its partitions are queued as the dataset's queue has room. */
  const queueSpan = async (rt: DatasetRuntime, gaps: readonly Range[], trigger: BackfillRun['trigger']) => {
    const from = gaps[0]![0];
    const to = gaps[gaps.length - 1]![1];
    const run = await feeder.open(rt, trigger, from, to);
    worker?.feedSoon(rt.config.name);
    return run;
  };

  const queueAuto = (rt: DatasetRuntime, gaps: Range[], trigger: BackfillRun['trigger']) => {
    if (!worker || !rt.config.backfill.enabled || !rt.source || gaps.length === 0) return;
    queueSpan(rt, gaps, trigger).catch((err) =>
      logger.error({ msg: 'could not queue backfill', dataset: rt.config.name, error: describeError(err) }),
    );
  };

  const ingestor: Ingestor = createIngestor({
    store,
    events,
    logger,
    clock,
    onGapsOpened: (rt, gaps) => queueAuto(rt, gaps, 'auto'),
  });

  const reconcileOne = async (rt: DatasetRuntime) => {
    const started = performance.now();
    const [present, known, sourceNewest, [purge]] = await Promise.all([
      store.loadCoverage(rt.config.name),
      store.loadKnownMissing(rt.config.name),
      store.loadSourceNewest(rt.config.name),
      store.listPurges(rt.config.name, 1),
    ]);
    rt.coverage.reset(present, known, sourceNewest);
    purgesSeen.set(rt.config.name, purge?.id ?? 0);
    return {
      dataset: rt.config.name,
      ms: performance.now() - started,
      present: present.size,
      gaps: rt.coverage.gaps().length,
    };
  };

  /** Reloads coverage after purges and queues the gaps that reappeared in their ranges. */
  const afterPurge = async (rt: DatasetRuntime, ranges: readonly Range[]) => {
    await reconcileOne(rt);
    const now = clock.now();
    for (const [from, to] of ranges) {
      const reopened = rt.coverage.gaps(from, to);
      // Missing again from now on: their age starts over.
      for (const [a, b] of reopened) rt.detections.noteOpened(a, b, now);
      queueAuto(rt, reopened, 'manual');
    }
  };

  /** A purge by another process (the CLI beside `serve`) leaves this process's coverage stale: reload it. */
  const reloadAfterForeignPurge = async (rt: DatasetRuntime) => {
    const seen = purgesSeen.get(rt.config.name) ?? 0;
    const unseen = (await store.listPurges(rt.config.name, FOREIGN_PURGES_READ)).filter(
      (p) => (p.id ?? 0) > seen,
    );
    if (unseen.length === 0) return;
    logger.info({ msg: 'coverage reloaded after a purge', dataset: rt.config.name, purgeId: unseen[0]!.id });
    await afterPurge(
      rt,
      unseen.map((p) => [p.fromOrdinal, p.toOrdinal]),
    );
  };

  const core: Core = {
    config,
    store,
    clock,
    events,
    logger,
    isOpen: () => opened,
    datasetNames: () => [...datasets.keys()],
    async open() {
      if (opened) return;
      await store.migrate();
      for (const rt of datasets.values()) await store.ensureDataset(rt.config.name);
      for (const rt of datasets.values()) await reconcileOne(rt);
      opened = true;
    },
    async start(opts = {}) {
      await core.open();
      if (opts.backfill !== false && !worker) {
        worker = createBackfillWorker({
          store,
          clock,
          logger,
          events,
          ingestor,
          datasets,
          feeder,
          redact,
          ...(options.pollMs ? { pollMs: options.pollMs } : {}),
        });
        if (opts.queueOpenGaps !== false)
          for (const rt of datasets.values()) queueAuto(rt, rt.coverage.gaps(), 'startup');
        worker.start();
      }
    },
    async stop() {
      await worker?.stop();
      worker = undefined;
      await healthSaver.flush();
      await store.close();
    },
    dataset,
    ingest(name, records, opts = {}) {
      return ingestor.ingest(dataset(name), records, opts.source ?? null, 'ingest');
    },
    async collect(name, opts = {}) {
      const rt = dataset(name);
      if (!rt.source)
        throw new GapwardenError('SOURCE_UNSUPPORTED', `dataset "${name}" has no source to collect from`);
      const source = opts.source === undefined ? rt.source : rt.source.only(opts.source);
      if (!source) {
        const names = rt.config.sources.map((s) => s.name).join(', ');
        throw new GapwardenError(
          'NOT_FOUND',
          `dataset "${name}" has no source "${opts.source}" to collect from (its sources: ${names})`,
        );
      }
      const res = await source.latest(opts.signal);
      const result = await ingestor.ingest(rt, res.records, res.source, 'ingest', res.rejected);
      // How far the source has published: a "not found" for a partition above it is not final.
      if (result.newestOrdinal !== null) await noteSourceNewest(store, rt, result.newestOrdinal);
      return result;
    },
    async gaps(name, opts = {}) {
      const rt = dataset(name);
      const ranges = rt.coverage.gaps(opts.from, opts.to).slice(0, opts.limit ?? Number.MAX_SAFE_INTEGER);
      return describeGaps(store, rt, ranges, clock.now());
    },
    async status() {
      const now = clock.now();
      // First, so a store that cannot take writes shows as such even while its reads still work.
      const storeHealth = await store.health();
      const out = [];
      for (const rt of datasets.values()) {
        const name = rt.config.name;
        await reloadAfterForeignPurge(rt);
        // Another process sharing the store may have filled gaps this one still holds open.
        const open = rt.coverage.gaps();
        if (open.length > 0) await confirmGaps(store, rt, open.slice(0, STATUS_GAPS_CONFIRMED));
        const [stats, backfill, saved] = await Promise.all([
          store.stats(name),
          store.countBackfillItems(name),
          store.loadSourceHealth(name),
        ]);
        const sources = mergeHealth(rt.source?.health() ?? [], saved);
        out.push(
          deriveDatasetStatus({
            config: rt.config,
            coverage: rt.coverage,
            stats,
            backfill,
            sources,
            nowMs: now,
            // Only an empty dataset needs it: otherwise its window shows what is missing.
            dueSinceStart:
              rt.coverage.window() === undefined ? dueSinceStart(rt.config.partitioning, now) : undefined,
          }),
        );
      }
      return {
        at: now,
        healthy: storeHealth.ok && out.every((d) => d.status !== 'unhealthy'),
        store: storeHealth,
        datasets: out,
      };
    },
    async reconcile(name) {
      const targets = name ? [dataset(name)] : [...datasets.values()];
      const out = [];
      for (const rt of targets) out.push(await reconcileOne(rt));
      return out;
    },
    planBackfill(name, opts = {}) {
      return planBackfill(dataset(name), opts);
    },
    async queueBackfill(name, target, trigger) {
      const rt = dataset(name);
      if (!('fromOrdinal' in target)) {
        const run = await store.createBackfillRun(rt.config.name, trigger, target, clock.now());
        worker?.wake();
        return run;
      }
      const { fromOrdinal, toOrdinal } = target;
      if (fromOrdinal === null || toOrdinal === null)
        return store.createBackfillRun(rt.config.name, trigger, [], clock.now());
      const run = await queueSpan(rt, [[fromOrdinal, toOrdinal]], trigger);
      worker?.wake();
      return run;
    },
    async purge(name, opts) {
      const rt = dataset(name);
      const request = purgeRequest(rt, opts);
      const report = await store.purgePartitions(rt.config.name, request, clock.now());
      const p = rt.config.partitioning;
      const result = { ...report, from: p.valueOf(request.from), to: p.valueOf(request.to) };
      if (report.dryRun) return result;
      logger.info({
        msg: 'partitions purged',
        dataset: name,
        from: result.from,
        to: result.to,
        records: report.records,
        knownMissing: report.knownMissing,
        queueItems: report.queueItems,
        by: report.by,
        purgeId: report.id,
      });
      await afterPurge(rt, [[request.from, request.to]]);
      return result;
    },
    waitForRun(runId, onProgress) {
      return waitForRun({ store, events, now: () => clock.now() }, runId, onProgress);
    },
    async backfillIdle() {
      await worker?.idle();
    },
  };
  return core;
}

/**
 * Source health for status: what this process saw, for sources it has used;
 * otherwise what a process that used them saved (e.g. `serve`, when `status`
 * runs in another process).
 */
function mergeHealth(live: SourceHealth[], saved: SourceHealth[]): SourceHealth[] {
  return live.map((l) => {
    const used = l.lastSuccessAt !== null || l.lastFailureAt !== null;
    return used ? l : (saved.find((s) => s.source === l.source) ?? l);
  });
}

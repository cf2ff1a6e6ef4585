import { type BackfillWorker, createBackfillWorker } from '../backfill/backfill-worker.js';
import type { CompiledConfig } from '../config/compiled-config.js';
import { DatasetCoverage } from '../coverage/dataset-coverage.js';
import type { Range } from '../domain/range-set.js';
import { confirmGaps } from '../ingest/confirm-gaps.js';
import { createIngestor, type Ingestor, type IngestResult } from '../ingest/ingestor.js';
import { type Clock, systemClock } from '../internal/clock.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import { createEventBus, type EventBus } from '../internal/events.js';
import { createLogger, type Logger } from '../internal/logger.js';
import { runJobKind } from '../scheduler/job-kinds.js';
import { createJobRunner, type JobRunner } from '../scheduler/job-runner.js';
import { createDatasetSource } from '../sources/create-dataset-source.js';
import type { SourceHealth } from '../sources/source.js';
import { createStoreFromConfig } from '../store/create-store.js';
import type { BackfillRun, Store } from '../store/store.js';
import { type BackfillPlan, planBackfill } from './backfill-plan.js';
import { dataCatchUpDue } from './data-catch-up.js';
import type { DatasetRuntime } from './dataset-runtime.js';
import { deriveDatasetStatus } from './dataset-status.js';
import type { GapInfo, StatusReport } from './status-report.js';

export interface EngineOptions {
  config: CompiledConfig;
  /** @default the SQLite or PostgreSQL store `config.store` names */
  store?: Store;
  /** @default the system clock */
  clock?: Clock;
  /** @default a JSON logger at `config.log.level` */
  logger?: Logger;
  events?: EventBus;
  /** For tests and embedding: the fetch HTTP sources use. */
  fetch?: typeof fetch;
  /** Backfill poll interval when nothing wakes it. @default 500 */
  pollMs?: number;
}

export interface BackfillReport extends BackfillRun {
  durationMs: number;
}

/** The gapwarden engine: datasets, ingest, coverage, backfill and collectors over one store. */
export interface Engine {
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
  /** Opens, queues backfills for open gaps, and starts the backfill worker and (optionally) the scheduled jobs. */
  start(options?: { collect?: boolean; backfill?: boolean; queueOpenGaps?: boolean }): Promise<void>;
  /** Stops the scheduled jobs only (collectors included); backfill goes on. */
  stopCollectors(): Promise<void>;
  /** The job scheduler: list, trigger, pause and resume jobs (started by `start({ collect: true })`). */
  jobs(): JobRunner;
  /** Stops collectors and the worker (letting requests in flight settle) and closes the store. */
  stop(): Promise<void>;
  dataset(name: string): DatasetRuntime;
  ingest(dataset: string, records: readonly unknown[], options?: { source?: string }): Promise<IngestResult>;
  /** Calls the dataset's `latest` request once and ingests what it returns; `signal` cancels the request. */
  collect(dataset: string, options?: { signal?: AbortSignal }): Promise<IngestResult>;
  gaps(dataset: string, options?: { from?: number; to?: number; limit?: number }): Promise<GapInfo[]>;
  status(): Promise<StatusReport>;
  /** Rebuilds coverage from the stored records; returns how long each dataset took. */
  reconcile(dataset?: string): Promise<{ dataset: string; ms: number; present: number; gaps: number }[]>;
  /** What a backfill of `[from, to]` (raw partition values) would request. */
  planBackfill(dataset: string, options?: { from?: unknown; to?: unknown }): BackfillPlan;
  /** Queues a backfill run for the plan's partitions and wakes the worker. */
  queueBackfill(
    dataset: string,
    ordinals: readonly number[],
    trigger: BackfillRun['trigger'],
  ): Promise<BackfillRun>;
  /** Waits for a run to finish, reporting progress. */
  waitForRun(runId: number, onProgress?: (run: BackfillRun) => void): Promise<BackfillReport>;
  /** Resolves once the backfill worker has nothing due. */
  backfillIdle(): Promise<void>;
}

/** Open gaps per dataset that `status()` checks against the store (one indexed read each). */
const STATUS_GAPS_CONFIRMED = 100;

/** Creates an engine. Nothing runs until `open()` or `start()`. */
export function createEngine(options: EngineOptions): Engine {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log.level);
  const events =
    options.events ??
    createEventBus((err) => logger.error({ msg: 'event listener failed', error: describeError(err) }));
  const store = options.store ?? createStoreFromConfig(config.store, { clock, logger });
  const datasets = new Map<string, DatasetRuntime>();
  let worker: BackfillWorker | undefined;
  let runner: JobRunner | undefined;
  let jobsStarted = false;
  let opened = false;

  for (const ds of config.datasets) {
    const source = createDatasetSource(ds, {
      clock,
      logger: logger.child({ dataset: ds.name }),
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
        store
          .saveSourceHealth(ds.name, health)
          .catch((err) => logger.error({ msg: 'could not save source health', error: describeError(err) }));
      },
      onRequest: (report) => events.emit('source:request', { dataset: ds.name, ...report }),
    });
    datasets.set(ds.name, { config: ds, coverage: new DatasetCoverage(ds.partitioning), source });
  }

  const dataset = (name: string): DatasetRuntime => {
    const rt = datasets.get(name);
    if (!rt) {
      const known = [...datasets.keys()].join(', ') || 'none';
      throw new GapwardenError('DATASET_UNKNOWN', `unknown dataset "${name}" (configured: ${known})`);
    }
    return rt;
  };

  /** Lists the ordinals of `gaps`, at most `capPerGap` from each. */
  const expand = (gaps: readonly Range[], capPerGap: number): number[] => {
    const out: number[] = [];
    for (const [a, b] of gaps) for (let n = a; n <= b && n - a < capPerGap; n++) out.push(n);
    return out;
  };

  const queueAuto = (rt: DatasetRuntime, gaps: Range[], trigger: BackfillRun['trigger']) => {
    if (!worker || !rt.config.backfill.enabled || !rt.source) return;
    const ordinals = expand(gaps, rt.config.backfill.maxPartitionsPerGap);
    if (ordinals.length === 0) return;
    store
      .createBackfillRun(rt.config.name, trigger, ordinals, clock.now())
      .then((run) => {
        if (run.requested > 0)
          logger.info({
            msg: 'backfill queued',
            dataset: rt.config.name,
            runId: run.id,
            trigger,
            partitions: run.requested,
          });
        worker?.wake();
      })
      .catch((err) =>
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
    const [present, known] = await Promise.all([
      store.loadCoverage(rt.config.name),
      store.loadKnownMissing(rt.config.name),
    ]);
    rt.coverage.reset(present, known);
    return {
      dataset: rt.config.name,
      ms: performance.now() - started,
      present: present.size,
      gaps: rt.coverage.gaps().length,
    };
  };

  const engine: Engine = {
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
      await engine.open();
      if (opts.backfill !== false && !worker) {
        worker = createBackfillWorker({
          store,
          clock,
          logger,
          events,
          ingestor,
          datasets,
          ...(options.pollMs ? { pollMs: options.pollMs } : {}),
        });
        if (opts.queueOpenGaps !== false)
          for (const rt of datasets.values()) queueAuto(rt, rt.coverage.gaps(), 'startup');
        worker.start();
      }
      if (opts.collect && !jobsStarted) {
        jobsStarted = true;
        await engine.jobs().start();
      }
    },
    jobs() {
      runner ??= createJobRunner({
        jobs: config.jobs,
        store,
        clock,
        logger,
        events,
        settings: config.scheduler,
        work: (job, ctx) => runJobKind(engine, job, ctx),
        dataCatchUp: async (job, now) => dataCatchUpDue(engine, job, now),
      });
      return runner;
    },
    async stopCollectors() {
      if (jobsStarted) await runner?.stop();
      jobsStarted = false;
      runner = undefined;
    },
    async stop() {
      await engine.stopCollectors();
      await worker?.stop();
      worker = undefined;
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
      const res = await rt.source.latest(opts.signal);
      const result = await ingestor.ingest(rt, res.records, res.source, 'ingest');
      if (res.rejected.length > 0) {
        await store.countRejected(name, res.rejected.length);
        for (const r of res.rejected.slice(0, 5))
          logger.warn({
            msg: 'record rejected',
            dataset: name,
            source: res.source,
            key: r.key,
            reason: r.reason,
          });
        result.rejected.push(...res.rejected);
      }
      return result;
    },
    async gaps(name, opts = {}) {
      const rt = dataset(name);
      const p = rt.config.partitioning;
      const ranges = rt.coverage.gaps(opts.from, opts.to).slice(0, opts.limit ?? Number.MAX_SAFE_INTEGER);
      const now = clock.now();
      const out: GapInfo[] = [];
      for (const [a, b] of ranges) {
        let since = p.instantOf(a);
        if (since === undefined) {
          // A sequence gap became known when the record after it arrived.
          const [next] = await store.recordsBetween(name, b + 1, b + 1);
          since = next?.ingestedAt;
        }
        out.push({
          from: p.valueOf(a),
          to: p.valueOf(b),
          fromOrdinal: a,
          toOrdinal: b,
          count: b - a + 1,
          ageSeconds: since === undefined ? null : Math.max(0, Math.round((now - since) / 1000)),
        });
      }
      return out;
    },
    async status() {
      const now = clock.now();
      const out = [];
      for (const rt of datasets.values()) {
        const name = rt.config.name;
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
          }),
        );
      }
      return { at: now, healthy: out.every((d) => d.status !== 'unhealthy'), datasets: out };
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
    async queueBackfill(name, ordinals, trigger) {
      const run = await store.createBackfillRun(dataset(name).config.name, trigger, ordinals, clock.now());
      worker?.wake();
      return run;
    },
    async waitForRun(runId, onProgress) {
      for (;;) {
        const run = await store.getBackfillRun(runId);
        if (!run) throw new GapwardenError('STORE_FAILED', `backfill run ${runId} does not exist`);
        onProgress?.(run);
        if (run.finishedAt !== null) return { ...run, durationMs: run.finishedAt - run.startedAt };
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async backfillIdle() {
      await worker?.idle();
    },
  };
  return engine;
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

import type { DatasetRuntime } from '../engine/dataset-runtime.js';
import type { Ingestor } from '../ingest/ingestor.js';
import type { Clock } from '../internal/clock.js';
import { describeError, GapwardenError, hasCode } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import type { BackfillItem, BackfillOutcome, Store } from '../store/store.js';
import { backoffDelay, TokenBucket } from './token-bucket.js';

export interface BackfillWorkerOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  ingestor: Ingestor;
  datasets: ReadonlyMap<string, DatasetRuntime>;
  /** How often the queue is looked at when nothing wakes the worker. @default 500 */
  pollMs?: number;
  random?: () => number;
}

export interface BackfillWorker {
  start(): void;
  /** Stops claiming, waits for requests in flight to settle. */
  stop(): Promise<void>;
  /** Looks at the queue now (a gap just opened). */
  wake(): void;
  /** Resolves when no item is in flight and none is due now. */
  idle(): Promise<void>;
}

/**
 * Works the persisted backfill queue: claims due partitions with a lease,
 * fetches each from the dataset's sources (failover, rate-limited, bounded
 * concurrency), stores what comes back and settles the item. Crash-safe: an
 * item in flight when the process dies is claimed again once its lease ends.
 */
export function createBackfillWorker(options: BackfillWorkerOptions): BackfillWorker {
  const { store, clock, logger, events, ingestor, datasets } = options;
  const pollMs = options.pollMs ?? 500;
  const random = options.random ?? Math.random;
  const inFlight = new Map<string, number>();
  const buckets = new Map<string, TokenBucket>();
  const tasks = new Set<Promise<void>>();
  const abort = new AbortController();
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;
  let idleWaiters: (() => void)[] = [];

  const bucketFor = (rt: DatasetRuntime) => {
    const { name, backfill } = rt.config;
    const bucket = buckets.get(name) ?? new TokenBucket(backfill.ratePerSecond, backfill.burst, clock);
    buckets.set(name, bucket);
    return bucket;
  };

  const eligible = () =>
    [...datasets.values()].filter(
      (rt) =>
        rt.config.backfill.enabled &&
        rt.source &&
        (rt.source.capabilities.byKey || rt.source.capabilities.byRange),
    );

  /**
   * Whether the store holds the partition although this process's coverage
   * does not: another process sharing the store stored it (a collect, or a
   * backfill it queued from its own view). Coverage learns it here.
   */
  async function storedElsewhere(rt: DatasetRuntime, ordinal: number): Promise<boolean> {
    const rows = await store.recordsBetween(rt.config.name, ordinal, ordinal);
    if (rows.length === 0) return false;
    rt.coverage.add([ordinal]);
    return true;
  }

  async function fetchOne(rt: DatasetRuntime, item: BackfillItem): Promise<BackfillOutcome> {
    const ds = rt.config;
    const alreadyPresent: BackfillOutcome = { kind: 'filled', source: 'already-present' };
    if (rt.coverage.has(item.ordinal)) return alreadyPresent;
    const bucket = bucketFor(rt);
    for (let wait = bucket.take(); wait > 0; wait = bucket.take()) await clock.sleep(wait, abort.signal);
    const ref = { ordinal: item.ordinal, vars: ds.partitioning.describe(item.ordinal) };
    const started = clock.now();
    try {
      if (await storedElsewhere(rt, item.ordinal)) return alreadyPresent;
      const source = rt.source!;
      const res = source.capabilities.byKey
        ? await source.byKey(ref, abort.signal)
        : await source.byRange(ref, ref, abort.signal);
      await ingestor.ingest(rt, res.records, res.source, 'backfill');
      if (!rt.coverage.has(item.ordinal) && !(await storedElsewhere(rt, item.ordinal))) {
        throw new GapwardenError(
          'SOURCE_RESPONSE_INVALID',
          `source ${res.source} answered but returned no valid record for partition ${ds.partitioning.valueOf(item.ordinal)}`,
          { retryable: true },
        );
      }
      events.emit('backfill:filled', {
        dataset: ds.name,
        partition: ds.partitioning.valueOf(item.ordinal),
        source: res.source,
        ms: clock.now() - started,
      });
      return { kind: 'filled', source: res.source };
    } catch (err) {
      const partition = ds.partitioning.valueOf(item.ordinal);
      if (hasCode(err, 'SOURCE_NOT_FOUND')) {
        events.emit('backfill:not-found', { dataset: ds.name, partition });
        logger.info({ msg: 'backfill not found upstream', dataset: ds.name, partition });
        return { kind: 'not_found' };
      }
      const error = describeError(err);
      const retryable = !(err instanceof GapwardenError) || err.retryable;
      if (retryable && item.attempts < ds.backfill.maxAttempts && !abort.signal.aborted) {
        const hinted = err instanceof GapwardenError ? Number(err.details.retryAfterMs ?? 0) : 0;
        const delay = Math.max(
          hinted,
          backoffDelay(item.attempts, ds.backfill.retryInitialMs, ds.backfill.retryMaxMs, random),
        );
        events.emit('backfill:retry', { dataset: ds.name, partition, attempt: item.attempts, error });
        logger.warn({
          msg: 'backfill attempt failed',
          dataset: ds.name,
          partition,
          attempt: item.attempts,
          retryInMs: delay,
          error,
        });
        return { kind: 'retry', error, nextAttemptAt: clock.now() + delay };
      }
      events.emit('backfill:failed', { dataset: ds.name, partition, attempts: item.attempts, error });
      logger.error({ msg: 'backfill failed', dataset: ds.name, partition, attempts: item.attempts, error });
      return { kind: 'failed', error };
    }
  }

  async function work(rt: DatasetRuntime, item: BackfillItem): Promise<void> {
    const outcome = await fetchOne(rt, item);
    if (abort.signal.aborted && outcome.kind === 'retry') return; // the lease expires; a later start retries it
    const finished = await store.settleBackfill(
      [{ dataset: rt.config.name, ordinal: item.ordinal, outcome }],
      clock.now(),
    );
    if (outcome.kind === 'not_found') rt.coverage.addKnownMissing([item.ordinal]);
    for (const run of finished) {
      const ms = (run.finishedAt ?? clock.now()) - run.startedAt;
      events.emit('backfill:run-finished', {
        dataset: run.dataset,
        runId: run.id,
        filled: run.filled,
        failed: run.failed,
        notFound: run.notFound,
        ms,
      });
      logger.info({
        msg: 'backfill run finished',
        dataset: run.dataset,
        runId: run.id,
        trigger: run.trigger,
        requested: run.requested,
        filled: run.filled,
        failed: run.failed,
        notFound: run.notFound,
        ms,
      });
    }
  }

  function launch(rt: DatasetRuntime, item: BackfillItem) {
    const name = rt.config.name;
    inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
    const task = work(rt, item)
      .catch((err) =>
        logger.error({
          msg: 'backfill item crashed',
          dataset: name,
          ordinal: item.ordinal,
          error: describeError(err),
        }),
      )
      .finally(() => {
        inFlight.set(name, (inFlight.get(name) ?? 1) - 1);
        tasks.delete(task);
        wake();
      });
    tasks.add(task);
  }

  async function pass(): Promise<number> {
    let claimed = 0;
    for (const rt of eligible()) {
      const free = rt.config.backfill.concurrency - (inFlight.get(rt.config.name) ?? 0);
      if (free <= 0) continue;
      const items = await store.claimBackfill(clock.now(), free, rt.config.backfill.leaseMs, rt.config.name);
      for (const item of items) launch(rt, item);
      claimed += items.length;
    }
    return claimed;
  }

  function wake() {
    pendingWake = true;
    wakeUp?.();
  }

  async function run() {
    while (running) {
      pendingWake = false;
      let claimed = 0;
      try {
        claimed = await pass();
      } catch (err) {
        logger.error({ msg: 'backfill queue unavailable', error: describeError(err) });
      }
      if (claimed === 0 && tasks.size === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        for (const w of waiters) w();
      }
      if (!running) break;
      if (claimed > 0 || pendingWake) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      abort.abort(new GapwardenError('ABORTED', 'backfill stopped'));
      wakeUp?.();
      await loop;
      await Promise.allSettled([...tasks]);
    },
    wake,
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wake();
      });
    },
  };
}

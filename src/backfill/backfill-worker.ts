import { createHolderCheck, type HolderCheck } from '../host/process-probe.js';
import type { DatasetRuntime } from '../ingest/dataset-runtime.js';
import type { Ingestor } from '../ingest/ingestor.js';
import type { Clock } from '../internal/clock.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import { noRedaction, type Redact } from '../internal/redactor.js';
import type { RequestPacer } from '../sources/source.js';
import type { BackfillClaimer, BackfillItem, BackfillOutcome, Store } from '../store/store.js';
import type { BackfillFeeder } from './backfill-feeder.js';
import { createBackfillOutcomes } from './backfill-outcomes.js';
import { createPartitionFetcher } from './fetch-partition.js';
import { createRangeFetcher, type RangeItemOutcome } from './fetch-range.js';
import { splitIntoRuns } from './range-runs.js';
import { createNotFoundJudge } from './source-newest.js';
import { TokenBucket } from './token-bucket.js';

/** How often a dataset with no run left to feed is looked at again (another process may have opened one). */
const FEED_RECHECK_MS = 10_000;
/** How often the holders of live leases are judged (one small read; a gone verdict is kept). */
const HOLDER_CHECK_MS = 1_000;

export interface BackfillWorkerOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  ingestor: Ingestor;
  datasets: ReadonlyMap<string, DatasetRuntime>;
  /** Queues more of a dataset's large runs as its queue drains. */
  feeder: BackfillFeeder;
  /** How often the queue is looked at when nothing wakes the worker. @default 500 */
  pollMs?: number;
  /** Masks secrets in the error text an item keeps in the store. @default no masking */
  redact?: Redact;
  random?: () => number;
  /**
   * This process's holder id and the judge of others: items leased by a
   * holder that is provably gone (it exited on this machine) are claimed again
   * at once, not when their lease ends. @default createHolderCheck()
   */
  holders?: HolderCheck;
}

export interface BackfillWorker {
  start(): void;
  /** Stops claiming, waits for requests in flight to settle. */
  stop(): Promise<void>;
  /** Looks at the queue now (a gap just opened). */
  wake(): void;
  /** A run of the dataset has more to queue: feed it as the queue drains. */
  feedSoon(dataset: string): void;
  /** Resolves when no item is in flight and none is due now. */
  idle(): Promise<void>;
}

/**
 * Works the persisted backfill queue: claims due partitions with a lease,
 * fetches them from the dataset's sources (failover, rate-limited, bounded
 * concurrency) by key, or as ranges when the source has `byRange`, stores
 * what comes back and settles the items. Crash-safe: an item in flight when
 * the process dies is claimed again at once by a process on the same machine
 * (its holder is provably gone), otherwise once its lease ends.
 */
export function createBackfillWorker(options: BackfillWorkerOptions): BackfillWorker {
  const { store, clock, logger, events, ingestor, datasets, feeder } = options;
  const notFoundIsFinal = createNotFoundJudge({ store, clock, logger });
  /** Datasets that may have runs with more to queue, and when each was last found to have none. */
  const feeding = new Map<string, boolean>();
  const lastFeedCheck = new Map<string, number>();
  const pollMs = options.pollMs ?? 500;
  const random = options.random ?? Math.random;
  const redact = options.redact ?? noRedaction;
  const holders = options.holders ?? createHolderCheck();
  let claimer: BackfillClaimer = { holder: holders.self };
  let holdersCheckedAt = Number.NEGATIVE_INFINITY;
  const inFlight = new Map<string, number>();
  const pacers = new Map<string, RequestPacer>();
  const tasks = new Set<Promise<void>>();
  const abort = new AbortController();
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let pendingWake = false;
  let idleWaiters: (() => void)[] = [];

  /** The dataset's token bucket as a pacer: every request its sources send waits for a token. */
  const paceFor = (rt: DatasetRuntime): RequestPacer => {
    const { name, backfill } = rt.config;
    let pace = pacers.get(name);
    if (!pace) {
      const bucket = new TokenBucket(backfill.ratePerSecond, backfill.burst, clock);
      pace = async (signal) => {
        for (let wait = bucket.take(); wait > 0; wait = bucket.take())
          await clock.sleep(wait, signal ?? abort.signal);
      };
      pacers.set(name, pace);
    }
    return pace;
  };

  const outcomes = createBackfillOutcomes({ clock, logger, events, random, signal: abort.signal });
  const fetchDeps = { store, clock, ingestor, outcomes, notFoundIsFinal, paceFor, signal: abort.signal };
  const fetchPartition = createPartitionFetcher(fetchDeps);
  const fetchRange = createRangeFetcher({ ...fetchDeps, logger, random });

  /** Whether the dataset's gaps are asked for as ranges. */
  const byRange = (rt: DatasetRuntime) => rt.config.backfill.rangeSize > 1 && rt.source!.capabilities.byRange;

  /**
   * A range's partitions stay leased while a request for the range and, for
   * those it leaves out, one request each may wait for the rate limit, which
   * every request in flight for the dataset shares.
   */
  const rangeLeaseMs = (rt: DatasetRuntime) => {
    const { leaseMs, rangeSize, concurrency, ratePerSecond } = rt.config.backfill;
    return leaseMs + Math.ceil(((rangeSize + 1) * concurrency * 1000) / ratePerSecond);
  };

  // `backfill.enabled: false` only stops gaps from being queued as they open (see the core's
  // queueAuto); what a backfill job, the CLI or the API queued for such a dataset is worked too.
  const eligible = () =>
    [...datasets.values()].filter(
      (rt) => rt.source && (rt.source.capabilities.byKey || rt.source.capabilities.byRange),
    );

  async function settle(rt: DatasetRuntime, results: readonly RangeItemOutcome[]): Promise<void> {
    // Stopping: a retry is not recorded; the lease expires and a later start asks again.
    const kept = abort.signal.aborted ? results.filter((r) => r.outcome.kind !== 'retry') : results;
    if (kept.length === 0) return;
    const finished = await store.settleBackfill(
      kept.map(({ item, outcome }) => ({
        dataset: rt.config.name,
        ordinal: item.ordinal,
        outcome: masked(outcome, redact),
      })),
      clock.now(),
    );
    const notFound = kept.filter((r) => r.outcome.kind === 'not_found').map((r) => r.item.ordinal);
    if (notFound.length > 0) rt.coverage.addKnownMissing(notFound);
    for (const run of finished) {
      outcomes.runFinished(run.id);
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

  /** Works claimed items: one by key, or runs of them as ranges, each run settled as it ends. */
  async function work(rt: DatasetRuntime, items: readonly BackfillItem[]): Promise<void> {
    if (!byRange(rt)) {
      for (const item of items) await settle(rt, [{ item, outcome: await fetchPartition(rt, item) }]);
      return;
    }
    const { partitioning, backfill } = rt.config;
    const runs = splitIntoRuns(items, {
      rangeSize: backfill.rangeSize,
      countPresent: (a, b) => rt.coverage.countPresent(a, b),
      countExpected: (a, b) => partitioning.expected(a, b).size,
    });
    for (const run of runs) {
      if (abort.signal.aborted) return;
      await settle(rt, await fetchRange(rt, run));
    }
  }

  function launch(rt: DatasetRuntime, items: readonly BackfillItem[]) {
    const name = rt.config.name;
    inFlight.set(name, (inFlight.get(name) ?? 0) + 1);
    const task = work(rt, items)
      .catch((err) =>
        logger.error({
          msg: 'backfill item crashed',
          dataset: name,
          ordinal: items[0]?.ordinal,
          partitions: items.length,
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

  /**
   * Whether to feed the dataset's large runs now: when its queue has fewer due
   * items than free slots, and a run may have more to queue (known here, or
   * looked for again every FEED_RECHECK_MS: another process may have left one).
   */
  function shouldFeed(name: string, starved: boolean): boolean {
    if (!starved) return false;
    if (feeding.get(name) !== false) return true;
    return clock.now() - (lastFeedCheck.get(name) ?? 0) >= FEED_RECHECK_MS;
  }

  /**
   * Claims for `free` slots of the dataset and launches them: one partition per
   * slot by key, or up to `rangeSize` partitions per slot (in ordinal order, so
   * they form ranges) by range. `starved`: fewer were due than the slots take.
   */
  async function claimFor(rt: DatasetRuntime, free: number): Promise<{ starved: boolean; count: number }> {
    const { name, backfill } = rt.config;
    if (!byRange(rt)) {
      const items = await store.claimBackfill(clock.now(), free, backfill.leaseMs, name, claimer);
      for (const item of items) launch(rt, [item]);
      return { starved: items.length < free, count: items.length };
    }
    let count = 0;
    for (let slot = 0; slot < free; slot++) {
      const items = await store.claimBackfill(
        clock.now(),
        backfill.rangeSize,
        rangeLeaseMs(rt),
        name,
        claimer,
      );
      if (items.length > 0) launch(rt, items);
      count += items.length;
      if (items.length < backfill.rangeSize) return { starved: true, count };
    }
    return { starved: false, count };
  }

  /** Judges the holders of live leases now and then: the gone ones' items are claimed with the due ones. */
  async function judgeHolders(): Promise<void> {
    if (clock.now() - holdersCheckedAt < HOLDER_CHECK_MS) return;
    holdersCheckedAt = clock.now();
    const goneHolders = (await store.listBackfillHolders(clock.now())).filter(
      (h) => holders.liveness(h) === 'gone',
    );
    for (const h of goneHolders) {
      if (claimer.goneHolders?.includes(h)) continue;
      logger.warn({
        msg: 'taking over the backfill leases of a holder that is gone',
        holder: h,
        holderAlive: 'gone',
      });
    }
    claimer = goneHolders.length > 0 ? { holder: holders.self, goneHolders } : { holder: holders.self };
  }

  async function pass(): Promise<number> {
    let claimed = 0;
    await judgeHolders();
    for (const rt of eligible()) {
      const name = rt.config.name;
      const free = rt.config.backfill.concurrency - (inFlight.get(name) ?? 0);
      if (free <= 0) continue;
      const { starved, count } = await claimFor(rt, free);
      claimed += count;
      if (shouldFeed(name, starved)) {
        const fed = await feeder.feed(rt);
        feeding.set(name, fed.feeding);
        lastFeedCheck.set(name, clock.now());
        claimed += fed.queued; // claim what was queued in the next pass at once
      }
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
    feedSoon(dataset) {
      feeding.set(dataset, true);
      wake();
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        wake();
      });
    },
  };
}

/** The outcome with its error text masked: the store keeps it, and shows it to anyone who reads the queue. */
function masked(outcome: BackfillOutcome, redact: Redact): BackfillOutcome {
  if (redact === noRedaction) return outcome;
  if (outcome.kind === 'retry' || outcome.kind === 'failed')
    return { ...outcome, error: redact(outcome.error) };
  if (outcome.kind === 'defer') return { ...outcome, reason: redact(outcome.reason) };
  return outcome;
}

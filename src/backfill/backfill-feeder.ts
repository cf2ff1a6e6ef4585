import type { DatasetRuntime } from '../ingest/dataset-runtime.js';
import type { Clock } from '../internal/clock.js';
import type { Logger } from '../internal/logger.js';
import type { BackfillRun, BackfillRunCursor, Store } from '../store/store.js';

/** Pieces one feed of one run takes at most, so a feed is bounded work even over ranges already queued. */
const STEPS_PER_FEED = 8;

/**
 * Queues backfill runs over ranges of any size in bounded pieces. A run is
 * opened over a range and only as many of its open-gap partitions are queued
 * as the dataset's queue has room for (`backfill.maxQueued`); the worker feeds
 * it more as the queue drains, until the whole range is queued. The run's
 * cursor lives in the store, so a restart (or another process) carries on
 * where it stopped.
 */
export interface BackfillFeeder {
  /** Opens a run over the ordinals `[from, to]` and queues its first piece at once. */
  open(rt: DatasetRuntime, trigger: BackfillRun['trigger'], from: number, to: number): Promise<BackfillRun>;
  /**
   * Queues more partitions of the dataset's runs still being queued, as far as the
   * queue has room. `queued`: partitions queued now; `feeding`: whether any run still has more.
   */
  feed(rt: DatasetRuntime): Promise<{ queued: number; feeding: boolean }>;
}

export function createBackfillFeeder(deps: { store: Store; clock: Clock; logger: Logger }): BackfillFeeder {
  const { store, clock, logger } = deps;

  const room = async (rt: DatasetRuntime) => {
    const counts = await store.countBackfillItems(rt.config.name);
    return rt.config.backfill.maxQueued - counts.pending - counts.running;
  };

  /** Queues up to `space` partitions of one run; returns how many it queued and the run as it is now. */
  async function feedRun(rt: DatasetRuntime, cursor: BackfillRunCursor, space: number) {
    let queued = 0;
    let through = cursor.queuedThrough;
    let run: BackfillRun | undefined;
    for (let step = 0; step < STEPS_PER_FEED && queued < space && through < cursor.toOrdinal; step++) {
      const piece = rt.coverage.takeGaps(through + 1, cursor.toOrdinal, space - queued);
      const fed = await store.feedBackfillRun(cursor.id, through, piece.ordinals, piece.through, clock.now());
      if (!fed) break; // another process fed it meanwhile; the next feed reads its cursor again
      queued += fed.queued;
      through = fed.queuedThrough;
      run = fed.run;
    }
    return { queued, run, done: through >= cursor.toOrdinal };
  }

  return {
    async open(rt, trigger, from, to) {
      const name = rt.config.name;
      const opened = await store.openBackfillRun(name, trigger, from, to, clock.now());
      const cursor = {
        id: opened.id,
        dataset: name,
        fromOrdinal: from,
        toOrdinal: to,
        queuedThrough: from - 1,
      };
      const { run, queued } = await feedRun(rt, cursor, await room(rt));
      // The worker may have fed the new run first: then the store has it as it is now.
      const now = run ?? (await store.getBackfillRun(opened.id)) ?? opened;
      if (queued > 0)
        logger.info({ msg: 'backfill queued', dataset: name, runId: now.id, trigger, partitions: queued });
      return now;
    },
    async feed(rt) {
      const cursors = await store.listFeedingBackfillRuns(rt.config.name);
      if (cursors.length === 0) return { queued: 0, feeding: false };
      let space = await room(rt);
      let queued = 0;
      let feeding = false;
      for (const cursor of cursors) {
        if (space <= 0) {
          feeding = true;
          break;
        }
        const fed = await feedRun(rt, cursor, space);
        space -= fed.queued;
        queued += fed.queued;
        if (!fed.done) feeding = true;
        if (fed.queued > 0)
          logger.debug({
            msg: 'backfill topped up',
            dataset: rt.config.name,
            runId: cursor.id,
            partitions: fed.queued,
          });
      }
      return { queued, feeding };
    },
  };
}

import { GapwardenError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { BackfillRun, Store } from '../store/store.js';

export interface BackfillReport extends BackfillRun {
  durationMs: number;
  /**
   * Partitions of the run this process asked for and found not published upstream yet:
   * they stay queued and are asked for again later (by `serve`). 0 for a finished run.
   */
  deferred: number;
}

/**
 * Waits for a backfill run to finish, reporting progress. A run whose only
 * unsettled partitions are ones the source has not published yet ends the
 * wait too (they may stay unpublished for long): those are counted in
 * `deferred`, as this process's worker saw them.
 */
export async function waitForRun(
  deps: { store: Store; events: EventBus; now: () => number },
  runId: number,
  onProgress?: (run: BackfillRun) => void,
): Promise<BackfillReport> {
  const { store, events } = deps;
  let dataset: string | undefined;
  const deferred = new Set<number | string>();
  const settled = (e: { dataset: string; partition: number | string }) => {
    if (e.dataset === dataset) deferred.delete(e.partition);
  };
  const listeners = [
    events.on('backfill:deferred', (e) => {
      if (e.runId === runId) deferred.add(e.partition);
    }),
    events.on('backfill:filled', settled),
    events.on('backfill:not-found', settled),
    events.on('backfill:failed', settled),
  ];
  try {
    for (;;) {
      const run = await store.getBackfillRun(runId);
      if (!run) throw new GapwardenError('STORE_FAILED', `backfill run ${runId} does not exist`);
      dataset = run.dataset;
      onProgress?.(run);
      if (run.finishedAt !== null) return { ...run, durationMs: run.finishedAt - run.startedAt, deferred: 0 };
      const waiting = run.requested - run.filled - run.failed - run.notFound;
      if (deferred.size > 0 && deferred.size >= waiting) {
        const feeding = await store.listFeedingBackfillRuns(run.dataset);
        if (!feeding.some((r) => r.id === runId))
          return { ...run, durationMs: deps.now() - run.startedAt, deferred: deferred.size };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    for (const off of listeners) off();
  }
}

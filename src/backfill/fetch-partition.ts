import type { DatasetRuntime } from '../ingest/dataset-runtime.js';
import type { Ingestor } from '../ingest/ingestor.js';
import type { Clock } from '../internal/clock.js';
import { GapwardenError, hasCode } from '../internal/errors.js';
import type { RequestPacer } from '../sources/source.js';
import type { BackfillItem, BackfillOutcome, Store } from '../store/store.js';
import type { BackfillOutcomes } from './backfill-outcomes.js';
import { noteSourceNewest } from './source-newest.js';

/** Decides, before a partition is asked for, whether "not found" would be final (`createNotFoundJudge`). */
export type NotFoundJudge = (rt: DatasetRuntime, ordinal: number, signal: AbortSignal) => Promise<boolean>;

export interface FetchDeps {
  store: Store;
  clock: Clock;
  ingestor: Ingestor;
  outcomes: BackfillOutcomes;
  notFoundIsFinal: NotFoundJudge;
  /** The dataset's rate limit, awaited before each request. */
  paceFor(rt: DatasetRuntime): RequestPacer;
  signal: AbortSignal;
}

/**
 * The dataset's pacer, counting how long it made one call wait, so the time a
 * fetch reports is the source's and the store's, not the rate limit's.
 */
export function timedPacer(pace: RequestPacer, clock: Clock): { pace: RequestPacer; waitedMs(): number } {
  let waited = 0;
  return {
    async pace(signal) {
      const t0 = clock.now();
      try {
        await pace(signal);
      } finally {
        waited += clock.now() - t0;
      }
    },
    waitedMs: () => waited,
  };
}

export const ALREADY_PRESENT: BackfillOutcome = { kind: 'filled', source: 'already-present' };

/**
 * Whether the store holds partitions of `[from, to]` although this process's
 * coverage does not: another process sharing the store stored them (a collect,
 * or a backfill it queued from its own view). Coverage learns them here.
 */
export async function learnStored(store: Store, rt: DatasetRuntime, from: number, to: number): Promise<void> {
  const rows = await store.recordsBetween(rt.config.name, from, to);
  if (rows.length > 0) rt.coverage.add(rows.map((r) => r.ordinal));
}

/**
 * Fetches one partition by key (or as a one-partition range from a source
 * without byKey), stores what comes back and returns the item's outcome.
 */
export function createPartitionFetcher(deps: FetchDeps) {
  const { store, clock, ingestor, outcomes, notFoundIsFinal, signal } = deps;

  return async function fetchPartition(rt: DatasetRuntime, item: BackfillItem): Promise<BackfillOutcome> {
    const ds = rt.config;
    if (rt.coverage.has(item.ordinal)) return ALREADY_PRESENT;
    const ref = { ordinal: item.ordinal, vars: ds.partitioning.describe(item.ordinal) };
    let notFoundFinal = true;
    const started = clock.now();
    try {
      await learnStored(store, rt, item.ordinal, item.ordinal);
      if (rt.coverage.has(item.ordinal)) return ALREADY_PRESENT;
      // Decided before asking: a source that publishes the partition between a "not found" and a
      // later look at how far it has got must not make that "not found" final.
      notFoundFinal = await notFoundIsFinal(rt, item.ordinal, signal);
      const source = rt.source!;
      const { pace, waitedMs } = timedPacer(deps.paceFor(rt), clock);
      const res = source.capabilities.byKey
        ? await source.byKey(ref, signal, pace)
        : await source.byRange(ref, ref, signal, pace);
      const result = await ingestor.ingest(rt, res.records, res.source, 'backfill', res.rejected);
      // A source with `latest` says there how far it has published (at a collect, or asked just
      // before a partition above what it said); for one without, what backfill fetched is the only sign.
      if (result.newestOrdinal !== null && !source.capabilities.latest)
        await noteSourceNewest(store, rt, result.newestOrdinal);
      if (!rt.coverage.has(item.ordinal)) await learnStored(store, rt, item.ordinal, item.ordinal);
      if (!rt.coverage.has(item.ordinal)) {
        throw new GapwardenError(
          'SOURCE_RESPONSE_INVALID',
          `source ${res.source} answered but returned no valid record for partition ${ds.partitioning.valueOf(item.ordinal)}`,
          { retryable: true },
        );
      }
      return outcomes.filled(rt, item, res.source, clock.now() - started - waitedMs());
    } catch (err) {
      if (hasCode(err, 'SOURCE_NOT_FOUND'))
        return notFoundFinal ? outcomes.notFound(rt, item) : outcomes.deferred(rt, item);
      return outcomes.failure(rt, item, err);
    }
  };
}

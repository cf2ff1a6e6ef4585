import type { DatasetRuntime } from '../ingest/dataset-runtime.js';
import { describeError, hasCode } from '../internal/errors.js';
import type { Logger } from '../internal/logger.js';
import type { FetchResult } from '../sources/source.js';
import type { BackfillItem, BackfillOutcome } from '../store/store.js';
import { isRetryable, retryDelay } from './backfill-outcomes.js';
import {
  ALREADY_PRESENT,
  createPartitionFetcher,
  type FetchDeps,
  learnStored,
  timedPacer,
} from './fetch-partition.js';
import { noteSourceNewest } from './source-newest.js';

/** One item of a range and how it ended. */
export interface RangeItemOutcome {
  item: BackfillItem;
  outcome: BackfillOutcome;
}

/**
 * Fetches a run of claimed partitions (see `splitIntoRuns`) with one `byRange`
 * call, which follows the source's pagination (each page paced), and stores
 * what comes back. A partition the answer left out is asked for by key when a
 * "not found" for it would be final, so it becomes known missing only on the
 * source's word for that partition; one beyond what the sources have
 * delivered is deferred without a request (it is not published yet). A
 * source without byKey has said all it can: not found, or deferred by the
 * same rule, decided before the range was asked for. A failed range request
 * puts its partitions back with one backoff, so they come back as a range;
 * at their last attempt, or when the error is not retryable, each is asked
 * for alone.
 */
export function createRangeFetcher(deps: FetchDeps & { logger: Logger; random: () => number }) {
  const { store, clock, ingestor, outcomes, notFoundIsFinal, signal, logger, random } = deps;
  const fetchPartition = createPartitionFetcher(deps);

  /** Each of `items` alone, one after the other (they share the dataset's rate limit anyway). */
  async function oneByOne(rt: DatasetRuntime, items: readonly BackfillItem[]): Promise<RangeItemOutcome[]> {
    const out: RangeItemOutcome[] = [];
    for (const item of items) out.push({ item, outcome: await fetchPartition(rt, item) });
    return out;
  }

  function rangeFailed(rt: DatasetRuntime, todo: BackfillItem[], err: unknown) {
    const ds = rt.config;
    const retry = todo.filter((i) => isRetryable(err) && i.attempts < ds.backfill.maxAttempts);
    const alone = todo.filter((i) => !retry.includes(i));
    const delayMs = retryDelay(rt, Math.max(0, ...retry.map((i) => i.attempts)), err, random);
    logger.warn({
      msg:
        alone.length > 0 ? 'backfill range failed; asking partition by partition' : 'backfill range failed',
      dataset: ds.name,
      from: ds.partitioning.valueOf(todo[0]!.ordinal),
      to: ds.partitioning.valueOf(todo[todo.length - 1]!.ordinal),
      partitions: todo.length,
      ...(retry.length > 0 ? { retryInMs: delayMs } : {}),
      error: describeError(err),
    });
    const retried = retry.map((item) => ({
      item,
      outcome: outcomes.failure(rt, item, err, { delayMs, quiet: true }),
    }));
    return { retried, alone };
  }

  return async function fetchRange(
    rt: DatasetRuntime,
    run: readonly BackfillItem[],
  ): Promise<RangeItemOutcome[]> {
    const ds = rt.config;
    const source = rt.source!;
    const out: RangeItemOutcome[] = [];
    const present = (item: BackfillItem) => {
      if (!rt.coverage.has(item.ordinal)) return false;
      out.push({ item, outcome: ALREADY_PRESENT });
      return true;
    };
    let todo = run.filter((item) => !present(item));
    if (todo.length > 0) {
      try {
        await learnStored(store, rt, todo[0]!.ordinal, todo[todo.length - 1]!.ordinal);
      } catch (err) {
        return [...out, ...todo.map((item) => ({ item, outcome: outcomes.failure(rt, item, err) }))];
      }
      todo = todo.filter((item) => !present(item));
    }
    if (todo.length <= 1) return [...out, ...(await oneByOne(rt, todo))];

    const first = todo[0]!.ordinal;
    const last = todo[todo.length - 1]!.ordinal;
    const started = clock.now();
    const paced = timedPacer(deps.paceFor(rt), clock);
    // Without byKey the range's answer is final or not by what was known before asking (see fetchPartition).
    const finalBefore = new Map<number, boolean>();
    let res: FetchResult;
    try {
      if (!source.capabilities.byKey)
        for (const item of todo)
          finalBefore.set(item.ordinal, await notFoundIsFinal(rt, item.ordinal, signal));
      const ref = (o: number) => ({ ordinal: o, vars: ds.partitioning.describe(o) });
      res = await source.byRange(ref(first), ref(last), signal, paced.pace);
    } catch (err) {
      if (!hasCode(err, 'SOURCE_NOT_FOUND')) {
        // Stopping: nothing is settled, the leases run out and a later start asks again.
        if (signal.aborted) return out;
        const { retried, alone } = rangeFailed(rt, todo, err);
        return [...out, ...retried, ...(await oneByOne(rt, alone))];
      }
      // Every source said it has none of them: the same as an answer without records.
      res = { records: [], rejected: [], source: source.name };
    }

    let stored = 0;
    const leftOut: BackfillItem[] = [];
    try {
      const result = await ingestor.ingest(rt, res.records, res.source, 'backfill', res.rejected);
      if (result.newestOrdinal !== null && !source.capabilities.latest)
        await noteSourceNewest(store, rt, result.newestOrdinal);
    } catch (err) {
      return [...out, ...todo.map((item) => ({ item, outcome: outcomes.failure(rt, item, err) }))];
    }
    const ms = clock.now() - started - paced.waitedMs();
    for (const item of todo) {
      if (!rt.coverage.has(item.ordinal)) leftOut.push(item);
      else {
        stored++;
        out.push({ item, outcome: outcomes.filled(rt, item, res.source, ms) });
      }
    }
    logger.debug({
      msg: 'backfill range fetched',
      dataset: ds.name,
      from: ds.partitioning.valueOf(first),
      to: ds.partitioning.valueOf(last),
      source: res.source,
      filled: stored,
      leftOut: leftOut.length,
      ms,
    });
    let deferred = 0;
    for (const item of leftOut) {
      if (signal.aborted) break;
      const outcome = await settleLeftOut(rt, item, finalBefore);
      if (outcome.kind === 'defer') deferred++;
      out.push({ item, outcome });
    }
    // One line for the range rather than one per partition: a range ahead of the source defers them all.
    if (deferred > 0)
      logger.info({
        msg: 'backfill deferred',
        dataset: ds.name,
        from: ds.partitioning.valueOf(first),
        to: ds.partitioning.valueOf(last),
        partitions: deferred,
        reason: 'not published upstream yet',
      });
    return out;
  };

  async function settleLeftOut(
    rt: DatasetRuntime,
    item: BackfillItem,
    finalBefore: ReadonlyMap<number, boolean>,
  ): Promise<BackfillOutcome> {
    if (!rt.source!.capabilities.byKey)
      return finalBefore.get(item.ordinal) ? outcomes.notFound(rt, item) : outcomes.deferred(rt, item, true);
    try {
      // Ahead of what the sources have published: asking by key would only be told the same.
      if (!(await notFoundIsFinal(rt, item.ordinal, signal))) return outcomes.deferred(rt, item, true);
    } catch (err) {
      return outcomes.failure(rt, item, err);
    }
    return fetchPartition(rt, item);
  }
}

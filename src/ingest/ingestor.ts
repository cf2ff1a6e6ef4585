import type { Range } from '../domain/range-set.js';
import type { Clock } from '../internal/clock.js';
import { describeError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import type { Rejection } from '../sources/source.js';
import type { Store } from '../store/store.js';
import { confirmGaps } from './confirm-gaps.js';
import type { DatasetRuntime } from './dataset-runtime.js';
import { logGapsFilled } from './gap-fill-log.js';
import { refuseBeyondHorizon } from './horizon-filter.js';
import { prepareBatch } from './prepare-batch.js';
import { MAX_LISTED_REJECTIONS } from './rejection-list.js';

/**
 * What one ingest call did. `inserted + updated + unchanged + duplicatesInBatch + rejectedCount` =
 * records given + the source's rejections given with them.
 */
export interface IngestResult {
  dataset: string;
  source: string | null;
  inserted: number;
  updated: number;
  unchanged: number;
  duplicatesInBatch: number;
  /** The first `MAX_LISTED_REJECTIONS` rejected records, each with its reason. */
  rejected: Rejection[];
  /** Every rejected record, listed or not. */
  rejectedCount: number;
  insertedKeys: string[];
  updatedKeys: string[];
  /** Gaps (ordinal ranges) this batch revealed. */
  gapsOpened: Range[];
  /** The newest partition (ordinal) among the valid records, or null when none was valid. */
  newestOrdinal: number | null;
}

export interface Ingestor {
  /**
   * `sourceRejected` are the items the source could not map into records (a
   * response's item without a key, ...): they are counted, logged and announced
   * with the batch's own rejections, so every path counts a rejection once.
   */
  ingest(
    rt: DatasetRuntime,
    records: readonly unknown[],
    source: string | null,
    by: 'ingest' | 'backfill',
    sourceRejected?: readonly Rejection[],
  ): Promise<IngestResult>;
}

/** How many rejections of one batch are logged one by one; the rest are summarised. */
const LOGGED_REJECTIONS = 5;

/**
 * Validates, stores (one transaction) and updates coverage; announces opened
 * and closed gaps. Coverage only ever learns what the store holds.
 */
export function createIngestor(deps: {
  store: Store;
  events: EventBus;
  logger: Logger;
  clock: Clock;
  onGapsOpened?: (rt: DatasetRuntime, gaps: Range[]) => void;
}): Ingestor {
  const { store, events, logger, clock } = deps;
  /** The gaps the store confirms; the batch is stored by now, so a failed check announces them all. */
  const confirmed = (rt: DatasetRuntime, opened: Range[]) =>
    confirmGaps(store, rt, opened).catch((err) => {
      logger.warn({
        msg: 'could not confirm gaps with the store',
        dataset: rt.config.name,
        error: describeError(err),
      });
      return opened;
    });
  return {
    async ingest(rt, records, source, by, sourceRejected = []) {
      const ds = rt.config;
      const batch = await refuseBeyondHorizon(
        store,
        rt,
        prepareBatch(ds.partitioning, records, source, ds.onConflict, MAX_LISTED_REJECTIONS),
        clock.now(),
      );
      const write =
        batch.rows.length > 0
          ? await store.ingest(ds.name, batch.rows, ds.onConflict, clock.now(), by)
          : { inserted: [], updated: [], insertedOrdinals: [] };
      const rejectedCount = batch.rejectedCount + sourceRejected.length;
      const rejected =
        sourceRejected.length > 0
          ? [...batch.rejected, ...sourceRejected].slice(0, MAX_LISTED_REJECTIONS)
          : batch.rejected;
      if (rejectedCount > 0) {
        await store.countRejected(ds.name, rejectedCount);
        rejected.slice(0, LOGGED_REJECTIONS).forEach((r) => {
          logger.warn({ msg: 'record rejected', dataset: ds.name, source, key: r.key, reason: r.reason });
          events.emit('record:rejected', {
            dataset: ds.name,
            source,
            reason: r.reason,
            ...(r.key ? { key: r.key } : {}),
          });
        });
        if (rejectedCount > LOGGED_REJECTIONS) {
          logger.warn({
            msg: 'records rejected',
            dataset: ds.name,
            source,
            more: rejectedCount - LOGGED_REJECTIONS,
          });
        }
      }
      // Every valid row is in the store now — inserted, updated, or already there (perhaps stored by
      // another process sharing the store) — so coverage learns all of them, not only the new ones.
      const stored =
        write.insertedOrdinals.length === batch.rows.length
          ? write.insertedOrdinals
          : batch.rows.map((r) => r.ordinal);
      const change = rt.coverage.add(stored);
      const filledAt = clock.now();
      for (const n of change.closed) {
        const detectedAt = rt.detections.takeFilled(n);
        events.emit('gap:closed', {
          dataset: ds.name,
          partition: ds.partitioning.valueOf(n),
          by,
          openForMs: detectedAt === undefined ? null : Math.max(0, filledAt - detectedAt),
        });
      }
      // A backfill logs the partition it fetched itself, with the source and the time it took.
      if (by === 'ingest' && change.closed.length > 0)
        logGapsFilled(
          logger,
          ds.name,
          source,
          change.closed.map((n) => ds.partitioning.valueOf(n)),
        );
      const opened = change.opened.length > 0 ? await confirmed(rt, change.opened) : [];
      if (opened.length > 0) noteDetected(rt, opened, clock.now());
      for (const [a, b] of opened) {
        const count = b - a + 1;
        events.emit('gap:opened', {
          dataset: ds.name,
          from: ds.partitioning.valueOf(a),
          to: ds.partitioning.valueOf(b),
          count,
        });
        logger.info({
          msg: 'gap opened',
          dataset: ds.name,
          from: ds.partitioning.valueOf(a),
          to: ds.partitioning.valueOf(b),
          count,
        });
      }
      if (opened.length > 0) deps.onGapsOpened?.(rt, opened);
      const result: IngestResult = {
        dataset: ds.name,
        source,
        inserted: write.inserted.length,
        updated: write.updated.length,
        unchanged: batch.rows.length - write.inserted.length - write.updated.length,
        duplicatesInBatch: batch.duplicatesInBatch,
        rejected,
        rejectedCount,
        insertedKeys: write.inserted,
        updatedKeys: write.updated,
        gapsOpened: opened,
        newestOrdinal: newestOf(batch.rows),
      };
      events.emit('records:ingested', {
        dataset: ds.name,
        source,
        inserted: result.inserted,
        updated: result.updated,
        unchanged: result.unchanged + result.duplicatesInBatch,
        rejected: result.rejectedCount,
      });
      return result;
    },
  };
}

/** Notes when gaps were found; now and then drops what closed without a fill seen here (known missing, ...). */
function noteDetected(rt: DatasetRuntime, gaps: readonly Range[], nowMs: number): void {
  for (const [a, b] of gaps) rt.detections.noteOpened(a, b, nowMs);
  if (rt.detections.retainDue) rt.detections.retain((a, b) => rt.coverage.gaps(a, b));
}

/** The largest ordinal of the rows (a loop: a spread of a large batch would overflow the stack). */
function newestOf(rows: readonly { ordinal: number }[]): number | null {
  let newest: number | null = null;
  for (const r of rows) if (newest === null || r.ordinal > newest) newest = r.ordinal;
  return newest;
}

import type { Range } from '../domain/range-set.js';
import type { DatasetRuntime } from '../engine/dataset-runtime.js';
import type { Clock } from '../internal/clock.js';
import { describeError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import type { Rejection } from '../sources/source.js';
import type { Store } from '../store/store.js';
import { confirmGaps } from './confirm-gaps.js';
import { prepareBatch } from './prepare-batch.js';

/** What one ingest call did. `inserted + updated + unchanged + duplicatesInBatch + rejected.length` = records given. */
export interface IngestResult {
  dataset: string;
  source: string | null;
  inserted: number;
  updated: number;
  unchanged: number;
  duplicatesInBatch: number;
  rejected: Rejection[];
  insertedKeys: string[];
  updatedKeys: string[];
  /** Gaps (ordinal ranges) this batch revealed. */
  gapsOpened: Range[];
}

export interface Ingestor {
  ingest(
    rt: DatasetRuntime,
    records: readonly unknown[],
    source: string | null,
    by: 'ingest' | 'backfill',
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
    async ingest(rt, records, source, by) {
      const ds = rt.config;
      const batch = prepareBatch(ds.partitioning, records, source, ds.onConflict);
      const write =
        batch.rows.length > 0
          ? await store.ingest(ds.name, batch.rows, ds.onConflict, clock.now())
          : { inserted: [], updated: [], insertedOrdinals: [] };
      if (batch.rejected.length > 0) {
        await store.countRejected(ds.name, batch.rejected.length);
        batch.rejected.slice(0, LOGGED_REJECTIONS).forEach((r) => {
          logger.warn({ msg: 'record rejected', dataset: ds.name, source, key: r.key, reason: r.reason });
          events.emit('record:rejected', {
            dataset: ds.name,
            source,
            reason: r.reason,
            ...(r.key ? { key: r.key } : {}),
          });
        });
        if (batch.rejected.length > LOGGED_REJECTIONS) {
          logger.warn({
            msg: 'records rejected',
            dataset: ds.name,
            source,
            more: batch.rejected.length - LOGGED_REJECTIONS,
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
      for (const n of change.closed) {
        events.emit('gap:closed', { dataset: ds.name, partition: ds.partitioning.valueOf(n), by });
      }
      const opened = change.opened.length > 0 ? await confirmed(rt, change.opened) : [];
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
        rejected: batch.rejected,
        insertedKeys: write.inserted,
        updatedKeys: write.updated,
        gapsOpened: opened,
      };
      events.emit('records:ingested', {
        dataset: ds.name,
        source,
        inserted: result.inserted,
        updated: result.updated,
        unchanged: result.unchanged + result.duplicatesInBatch,
        rejected: result.rejected.length,
      });
      return result;
    },
  };
}

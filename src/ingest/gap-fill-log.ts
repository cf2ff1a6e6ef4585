import type { Logger } from '../internal/logger.js';

/** Partitions of one ingest call logged one by one when records fill gaps; the rest are summarised. */
export const FILLS_LOGGED_PER_BATCH = 10;

/**
 * Logs the gap partitions a batch of records filled (a late record, a pushed
 * bulk load): one info line per partition for the first
 * `FILLS_LOGGED_PER_BATCH`, then one `gaps filled` line with the count and
 * the span, so a bulk load that closes thousands writes eleven lines.
 * Backfill logs its own fills (with source and time): see backfill/fill-log.ts.
 */
export function logGapsFilled(
  logger: Logger,
  dataset: string,
  source: string | null,
  partitions: readonly (number | string)[],
): void {
  if (partitions.length === 0) return;
  for (const partition of partitions.slice(0, FILLS_LOGGED_PER_BATCH)) {
    logger.info({ msg: 'gap filled', dataset, partition, by: 'ingest', source });
  }
  if (partitions.length > FILLS_LOGGED_PER_BATCH) {
    logger.info({
      msg: 'gaps filled',
      dataset,
      by: 'ingest',
      source,
      count: partitions.length,
      more: partitions.length - FILLS_LOGGED_PER_BATCH,
      first: partitions[0],
      last: partitions[partitions.length - 1],
    });
  }
}

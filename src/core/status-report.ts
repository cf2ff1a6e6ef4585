import type { SourceHealth } from '../domain/source-health.js';
import type { BackfillItemState } from '../store/store.js';
import type { StoreHealth } from '../store/store-health.js';

export type DatasetHealth = 'healthy' | 'degraded' | 'unhealthy';

/** One open gap as people and scripts see it. */
export interface GapInfo {
  from: number | string;
  to: number | string;
  fromOrdinal: number;
  toOrdinal: number;
  /** Partitions missing in the range. */
  count: number;
  /**
   * When gapwarden found the gap (ms): this process's detection, or for a gap already
   * open at start, when the first record after it was stored; null when that cannot be told.
   */
  detectedAt: number | null;
  /** Seconds since `detectedAt`; null with it. */
  ageSeconds: number | null;
  /** When the gap's first partition starts (calendars, ms): the data's own date; null for sequences. */
  partitionAt: number | null;
}

export interface DatasetStatus {
  name: string;
  kind: 'sequence' | 'calendar';
  status: DatasetHealth;
  /** Why the status is not healthy, in words. */
  reasons: string[];
  records: number;
  rejected: number;
  first: number | string | null;
  last: number | string | null;
  lastInsertAt: number | null;
  lastSource: string | null;
  freshnessSeconds: number | null;
  freshness: 'ok' | 'warn' | 'error' | 'unknown';
  coveragePercent: number;
  openGaps: number;
  missingPartitions: number;
  knownMissing: number;
  backfill: Record<BackfillItemState, number>;
  sources: SourceHealth[];
}

export interface StatusReport {
  at: number;
  /** False when the store cannot take writes or a dataset is unhealthy. */
  healthy: boolean;
  /** Whether the store can take writes, and if not, why. */
  store: StoreHealth;
  datasets: DatasetStatus[];
}

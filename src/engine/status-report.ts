import type { SourceHealth } from '../sources/source.js';
import type { BackfillItemState } from '../store/store.js';

export type DatasetHealth = 'healthy' | 'degraded' | 'unhealthy';

/** One open gap as people and scripts see it. */
export interface GapInfo {
  from: number | string;
  to: number | string;
  fromOrdinal: number;
  toOrdinal: number;
  /** Partitions missing in the range. */
  count: number;
  /** Seconds since the gap became known, when that can be told. */
  ageSeconds: number | null;
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
  healthy: boolean;
  datasets: DatasetStatus[];
}

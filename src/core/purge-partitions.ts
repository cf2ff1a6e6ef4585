import { partitionBound } from '../backfill/backfill-plan.js';
import type { DatasetRuntime } from '../ingest/dataset-runtime.js';
import { GapwardenError } from '../internal/errors.js';
import type { PurgeActor, PurgeReport } from '../store/store.js';

/** What an operator asks `purge` to remove from a dataset (raw partition values, as typed). */
export interface PurgeOptions {
  from: unknown;
  to: unknown;
  /** Delete the records stored in the range. @default false */
  records?: boolean;
  /** Forget the partitions marked known missing in the range. @default false */
  knownMissing?: boolean;
  /** Count only. @default false */
  dryRun?: boolean;
  /** Recorded with the purge. @default 'library' */
  by?: PurgeActor;
}

/** A purge's report, with the range as partition values. */
export interface PurgeResult extends PurgeReport {
  from: number | string;
  to: number | string;
}

/** Validates a purge request into ordinals; throws RECORD_INVALID saying what to fix. */
export function purgeRequest(rt: DatasetRuntime, options: PurgeOptions) {
  const from = partitionBound(rt, options.from, 'from');
  const to = partitionBound(rt, options.to, 'to');
  if (from === undefined || to === undefined) {
    throw new GapwardenError(
      'RECORD_INVALID',
      `a purge needs both ends of its range: give from and to (e.g. --from 1760 --to 9000000000)`,
    );
  }
  if (from > to) {
    throw new GapwardenError(
      'RECORD_INVALID',
      `from ${String(options.from)} is after to ${String(options.to)}`,
    );
  }
  const records = options.records === true;
  const knownMissing = options.knownMissing === true;
  if (!records && !knownMissing) {
    throw new GapwardenError(
      'RECORD_INVALID',
      'say what to purge: records (--records), known-missing marks (--known-missing), or both',
    );
  }
  return { from, to, records, knownMissing, by: options.by ?? 'library', dryRun: options.dryRun === true };
}

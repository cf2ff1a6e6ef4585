import { checkHorizon } from '../domain/partition-horizon.js';
import type { Store } from '../store/store.js';
import type { DatasetRuntime } from './dataset-runtime.js';
import type { PreparedBatch } from './prepare-batch.js';
import { MAX_LISTED_REJECTIONS } from './rejection-list.js';

/**
 * Moves the rows whose partitions lie beyond the dataset's horizon into the
 * batch's rejections, each with a reason that names the horizon and the
 * setting to raise, so a far-off partition never reaches the store or coverage.
 * Only when something is beyond it is the store asked for its newest partition
 * (another process sharing it may have stored newer ones than this one knows).
 */
export async function refuseBeyondHorizon(
  store: Store,
  rt: DatasetRuntime,
  batch: PreparedBatch,
  nowMs: number,
): Promise<PreparedBatch> {
  const ds = rt.config;
  if (ds.horizon === undefined || batch.rows.length === 0) return batch;
  const check = (newest: number | undefined) =>
    checkHorizon({
      partitioning: ds.partitioning,
      horizon: ds.horizon,
      ordinals: batch.rows.map((r) => r.ordinal),
      newest,
      nowMs,
      setting: `datasets.${ds.name}.partition.${ds.partitioning.kind}.horizon`,
    });
  let refused = check(rt.coverage.newest());
  if (refused.length > 0 && ds.horizon.kind === 'partitions') {
    const [stored] = await store.listRecords(ds.name, { limit: 1 });
    const known = rt.coverage.newest();
    if (stored && (known === undefined || stored.ordinal > known)) refused = check(stored.ordinal);
  }
  if (refused.length === 0) return batch;
  const drop = new Set(refused.map((r) => r.position));
  const rejected = [...batch.rejected];
  for (const { position, reason } of refused) {
    const { key } = batch.rows[position]!;
    const index = batch.positions[position]!;
    rejected.push({ index, key, reason: `record ${index} (key ${key}): ${reason}` });
  }
  // batch.rejected holds the first listed ones in body order, so the first ones of the union are these.
  rejected.sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return {
    rows: batch.rows.filter((_, i) => !drop.has(i)),
    positions: batch.positions.filter((_, i) => !drop.has(i)),
    rejected: rejected.slice(0, MAX_LISTED_REJECTIONS),
    rejectedCount: batch.rejectedCount + refused.length,
    duplicatesInBatch: batch.duplicatesInBatch,
  };
}

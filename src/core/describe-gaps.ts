import type { Range } from '../domain/range-set.js';
import type { DatasetRuntime } from '../ingest/dataset-runtime.js';
import type { Store } from '../store/store.js';
import type { GapInfo } from './status-report.js';

/**
 * Open gaps as people read them: partition values, counts, when gapwarden
 * found each one and how long ago that was. The age counts from detection,
 * never from the partition's own date: history replayed today has been
 * missing for as long as gapwarden has known it. A gap found by this process
 * has its exact detection time; one already open when the process started is
 * taken to have been found when the first record after it was stored (read
 * from the store).
 */
export async function describeGaps(
  store: Store,
  rt: DatasetRuntime,
  ranges: readonly Range[],
  nowMs: number,
): Promise<GapInfo[]> {
  const p = rt.config.partitioning;
  const out: GapInfo[] = [];
  for (const [a, b] of ranges) {
    const detectedAt = rt.detections.detectedIn(a, b) ?? (await storedAfter(store, rt, b));
    out.push({
      from: p.valueOf(a),
      to: p.valueOf(b),
      fromOrdinal: a,
      toOrdinal: b,
      count: b - a + 1,
      detectedAt: detectedAt ?? null,
      ageSeconds: detectedAt === undefined ? null : Math.max(0, Math.round((nowMs - detectedAt) / 1000)),
      partitionAt: p.instantOf(a) ?? null,
    });
  }
  return out;
}

/** When the first record after partition `b` was stored: the gap ending at `b` became visible then. */
async function storedAfter(store: Store, rt: DatasetRuntime, b: number): Promise<number | undefined> {
  const next = rt.coverage.nextPresentAfter(b);
  if (next === undefined) return undefined;
  const records = await store.recordsBetween(rt.config.name, next, next);
  return records.length === 0 ? undefined : Math.min(...records.map((r) => r.ingestedAt));
}

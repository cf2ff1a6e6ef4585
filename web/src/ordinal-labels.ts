import type { DatasetDetail, PartitionLabel, Range } from './api/types';

/**
 * Turns an ordinal (the API's internal partition index) back into the partition a person
 * knows, for sequence datasets: there value = start + ordinal × step, so two known
 * (ordinal, value) pairs fix the line. Undefined for calendar datasets, or before two
 * distinct partitions are known; callers then show the ordinal.
 */
export function sequenceLabeler(
  detail: DatasetDetail | undefined,
): ((ordinal: number) => PartitionLabel) | undefined {
  if (detail?.dataset.kind !== 'sequence') return undefined;
  const points: [number, number][] = [];
  const add = (r: Range) => {
    if (typeof r.from === 'number') points.push([r.fromOrdinal, r.from]);
    if (typeof r.to === 'number') points.push([r.toOrdinal, r.to]);
  };
  detail.coverage.present.forEach(add);
  detail.coverage.knownMissing.forEach(add);
  const [first] = points;
  const other = points.find(([o]) => first !== undefined && o !== first[0]);
  if (!first || !other) return undefined;
  const step = (other[1] - first[1]) / (other[0] - first[0]);
  if (!Number.isInteger(step) || step < 1) return undefined;
  const start = first[1] - first[0] * step;
  return (ordinal) => start + ordinal * step;
}

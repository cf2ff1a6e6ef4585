import type { Partitioning } from './partitioning.js';

/**
 * How far ahead of what a dataset plausibly has a record's partition may lie.
 * A record beyond it (a buggy upstream, a mistyped push: period 9,000,000,000
 * after 1,759) would otherwise open a gap of billions that no source can fill.
 *
 * - `partitions` (sequences): at most `count` partitions ahead of the newest
 *   stored partition, or of the sequence's `start` while nothing is stored.
 * - `time` (calendars): the partition starts at most `ms` after now.
 */
export type PartitionHorizon =
  | { kind: 'partitions'; count: number }
  | { kind: 'time'; ms: number; text: string };

export interface HorizonCheckInput {
  partitioning: Partitioning;
  horizon: PartitionHorizon | undefined;
  /** The batch's ordinals, in batch order. */
  ordinals: ArrayLike<number>;
  /** The newest ordinal already stored, if any. */
  newest: number | undefined;
  nowMs: number;
  /** The setting a user raises, named in each reason (e.g. `datasets.draws.partition.sequence.horizon`). */
  setting: string;
}

/** A position of the batch refused by the horizon, with the reason. */
export interface BeyondHorizon {
  position: number;
  reason: string;
}

/**
 * The positions of a batch whose partitions lie beyond the horizon, ascending.
 * O(n) when nothing is beyond it (the usual case: one comparison per record).
 *
 * For sequences the limit walks forward with the batch: a partition within
 * `count` of one already accepted is accepted too, whatever the order of the
 * batch, so a bulk load of consecutive partitions passes while one far-off
 * partition does not.
 *
 * @example
 * checkHorizon({ partitioning: seq, horizon: { kind: 'partitions', count: 100 },
 *   ordinals: [20, 9_000_000_000], newest: 19, nowMs, setting: 'datasets.d.partition.sequence.horizon' });
 * // [{ position: 1, reason: 'partition 9000000000 is 8999999980 partitions ahead of ...' }]
 */
export function checkHorizon(input: HorizonCheckInput): BeyondHorizon[] {
  const { horizon, ordinals } = input;
  if (horizon === undefined || ordinals.length === 0) return [];
  return horizon.kind === 'time' ? beyondTime(input, horizon) : beyondPartitions(input, horizon.count);
}

function beyondTime(input: HorizonCheckInput, horizon: { ms: number; text: string }): BeyondHorizon[] {
  const { partitioning: p, ordinals, setting } = input;
  const limit = p.latestDue(input.nowMs + horizon.ms) ?? Number.NEGATIVE_INFINITY;
  const out: BeyondHorizon[] = [];
  for (let i = 0; i < ordinals.length; i++) {
    const o = ordinals[i]!;
    if (o <= limit) continue;
    out.push({
      position: i,
      reason: `partition ${p.valueOf(o)} starts more than ${horizon.text} from now, beyond the dataset's horizon of ${horizon.text}; if it is real, raise ${setting} (or set it to false)`,
    });
  }
  return out;
}

function beyondPartitions(input: HorizonCheckInput, count: number): BeyondHorizon[] {
  const { partitioning: p, ordinals, setting } = input;
  let reference = input.newest ?? p.firstOrdinal;
  if (reference === undefined) {
    // Nothing stored and no start: the batch's smallest partition is where the dataset begins.
    reference = Number.POSITIVE_INFINITY;
    for (let i = 0; i < ordinals.length; i++) if (ordinals[i]! < reference) reference = ordinals[i]!;
  }
  let newest = reference;
  const limit = reference + count;
  const beyond: number[] = [];
  for (let i = 0; i < ordinals.length; i++) {
    const o = ordinals[i]!;
    if (o > limit) beyond.push(i);
    else if (o > newest) newest = o;
  }
  if (beyond.length === 0) return [];
  // The rest, nearest first: each one accepted moves the limit on.
  beyond.sort((a, b) => ordinals[a]! - ordinals[b]!);
  const out: BeyondHorizon[] = [];
  for (const i of beyond) {
    const o = ordinals[i]!;
    if (out.length === 0 && o <= newest + count) {
      newest = o;
      continue;
    }
    out.push({
      position: i,
      reason: `partition ${p.valueOf(o)} is ${o - newest} partitions ahead of the newest partition ${p.valueOf(newest)}, beyond the dataset's horizon of ${count}; if it is real, raise ${setting} (or set it to false)`,
    });
  }
  return out.sort((a, b) => a.position - b.position);
}

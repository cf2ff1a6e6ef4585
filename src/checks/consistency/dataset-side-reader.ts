import type { CompiledDatasetSide } from '../../config/compiled-checks.js';
import type { Partitioning } from '../../domain/partitioning.js';
import type { Range } from '../../domain/range-set.js';
import type { StoredRecord } from '../../store/store.js';
import type { SideReader, SideRow } from './side-reader.js';
import { timeValueMs } from './time-value.js';

/** What a dataset side reads: the dataset's partitioning, its present partitions and its records. */
export interface DatasetSideSource {
  partitioning: Partitioning;
  /** Present partitions (ordinals), ascending. */
  presentRanges(): readonly Range[];
  /** Stored records with ordinals in [from, to], ascending. */
  recordsBetween(from: number, to: number): Promise<StoredRecord[]>;
}

/** Ordinals per store read: bounded memory per step of a scan. */
const ORDINALS_PER_READ = 2_000;
/** Wanted ordinals closer than this are read in one range. */
const MERGE_DISTANCE = 64;

/** A payload field by name; `a.b` reaches into nested objects. */
function field(payload: unknown, path: string): unknown {
  let v: unknown = payload;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * A gapwarden dataset as one side of a consistency check. Records are read
 * from the store by partition: a window on `time: $partition` reads only the
 * partitions starting in it; any other time, and keys that are payload fields,
 * scan the dataset's present partitions in bounded steps. Archived records
 * (no longer in the store) are not read.
 */
export function datasetSideReader(side: CompiledDatasetSide, source: DatasetSideSource): SideReader {
  const { partitioning } = source;
  const matchers = Object.entries(side.match);
  const needsPayload = matchers.length > 0 || !side.key.startsWith('$') || !side.time.startsWith('$');

  function toRow(r: StoredRecord): SideRow | undefined {
    let payload: unknown;
    if (needsPayload) {
      try {
        payload = JSON.parse(r.payload);
      } catch {
        return undefined;
      }
      for (const [name, values] of matchers)
        if (!values.includes(field(payload, name) as never)) return undefined;
    }
    const value = side.key === '$partition' ? partitioning.valueOf(r.ordinal) : field(payload, side.key);
    if (value === undefined || value === null) return undefined;
    const t =
      side.time === '$partition'
        ? partitioning.instantOf(r.ordinal)
        : side.time === '$ingestedAt'
          ? r.ingestedAt
          : timeValueMs(field(payload, side.time));
    return { key: String(value), value, t, shown: t === undefined ? null : new Date(t).toISOString() };
  }

  async function readRanges(ranges: readonly Range[], keep: (row: SideRow) => boolean): Promise<SideRow[]> {
    const out: SideRow[] = [];
    for (const [a, b] of ranges) {
      for (let from = a; from <= b; from += ORDINALS_PER_READ) {
        const to = Math.min(b, from + ORDINALS_PER_READ - 1);
        for (const r of await source.recordsBetween(from, to)) {
          const row = toRow(r);
          if (row && keep(row)) out.push(row);
        }
      }
    }
    return out;
  }

  /** Present ranges narrowed to the partitions starting in [fromMs, toMs) (calendars). */
  function partitionsStartingIn(fromMs: number, toMs: number): Range[] {
    const out: Range[] = [];
    for (const [a, b] of source.presentRanges()) {
      const lo = firstOrdinal(a, b, (o) => (partitioning.instantOf(o) ?? Number.POSITIVE_INFINITY) >= fromMs);
      const hi =
        firstOrdinal(a, b, (o) => (partitioning.instantOf(o) ?? Number.POSITIVE_INFINITY) >= toMs) - 1;
      if (lo <= hi) out.push([lo, hi]);
    }
    return out;
  }

  /** Ordinals of `keys` when the key is the partition value; undefined when a key is not a partition. */
  function ordinalsOf(keys: readonly string[]): number[] {
    const out: number[] = [];
    for (const k of keys) {
      let o = partitioning.toOrdinal(k);
      if (typeof o !== 'number' && /^-?\d+$/.test(k)) o = partitioning.toOrdinal(Number(k));
      if (typeof o === 'number') out.push(o);
    }
    return out.sort((x, y) => x - y);
  }

  return {
    inWindow(fromMs, toMs) {
      const inside = (row: SideRow) => row.t !== undefined && row.t >= fromMs && row.t < toMs;
      if (side.time === '$partition') return readRanges(partitionsStartingIn(fromMs, toMs), inside);
      return readRanges(source.presentRanges(), inside);
    },
    withKeys(keys) {
      const wanted = new Set(keys);
      const keep = (row: SideRow) => wanted.has(row.key);
      if (side.key !== '$partition') return readRanges(source.presentRanges(), keep);
      return readRanges(mergeOrdinals(ordinalsOf(keys)), keep);
    },
  };
}

/** The first ordinal in [a, b] for which `ok` holds (`ok` monotone), or b + 1. */
function firstOrdinal(a: number, b: number, ok: (o: number) => boolean): number {
  let lo = a;
  let hi = b + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Sorted ordinals as ranges, neighbours within MERGE_DISTANCE read together. */
function mergeOrdinals(sorted: readonly number[]): Range[] {
  const out: [number, number][] = [];
  for (const o of sorted) {
    const last = out[out.length - 1];
    if (last && o - last[1] <= MERGE_DISTANCE) last[1] = Math.max(last[1], o);
    else out.push([o, o]);
  }
  return out;
}

import type { ConflictMode } from '../domain/conflict-mode.js';
import type { Partitioning } from '../domain/partitioning.js';
import { unstorableReason } from '../domain/storable-text.js';
import type { RawRecord, Rejection } from '../sources/source.js';
import type { RecordRow } from '../store/store.js';
import { RejectionList } from './rejection-list.js';

/** Longest key accepted. */
export const MAX_KEY_LENGTH = 512;
/** Largest payload accepted, as JSON text. */
export const MAX_PAYLOAD_BYTES = 1 << 20;

export interface PreparedBatch {
  rows: RecordRow[];
  /** Position in `records` of the record each row came from (parallel to `rows`). */
  positions: number[];
  /** The first `maxListed` rejections. */
  rejected: Rejection[];
  /** Every rejection, listed or not. */
  rejectedCount: number;
  /** Records whose key appeared earlier in the same batch. */
  duplicatesInBatch: number;
}

/**
 * Validates raw records into rows: key, partition (into an ordinal) and
 * payload (into JSON text). Invalid records are rejected with a reason; the
 * valid ones go on. A key repeated within the batch is kept once — the first
 * copy under `ignore`, the last under `update` — so the store never sees it twice.
 */
export function prepareBatch(
  partitioning: Partitioning,
  records: readonly unknown[],
  source: string | null,
  mode: ConflictMode,
  maxListed = Number.POSITIVE_INFINITY,
): PreparedBatch {
  const rows: RecordRow[] = [];
  const positions: number[] = [];
  const rejected = new RejectionList(maxListed);
  const index = new Map<string, number>();
  let duplicatesInBatch = 0;
  // The source name is stored with every record, so one a store cannot hold refuses them all.
  const badSource = source === null ? undefined : unstorableReason('source name', source);
  for (let i = 0; i < records.length; i++) {
    const item = records[i];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      rejected.push({
        index: i,
        reason: `record ${i}: expected an object with key, partition and payload, found ${describe(item)}`,
      });
      continue;
    }
    const rec = item as Partial<RawRecord>;
    const rawKey = rec.key as unknown;
    const key = typeof rawKey === 'number' && Number.isFinite(rawKey) ? String(rawKey) : rawKey;
    if (typeof key !== 'string' || key.length === 0) {
      rejected.push({
        index: i,
        reason: `record ${i}: key must be a non-empty string or number, found ${describe(rawKey)}`,
      });
      continue;
    }
    if (key.length > MAX_KEY_LENGTH) {
      rejected.push({
        index: i,
        key: key.slice(0, 40),
        reason: `record ${i}: key is ${key.length} characters, the limit is ${MAX_KEY_LENGTH}`,
      });
      continue;
    }
    const badKey = badSource ?? unstorableReason('key', key);
    if (badKey !== undefined) {
      rejected.push({ index: i, key, reason: `record ${i}: ${badKey}` });
      continue;
    }
    const ordinal = partitioning.toOrdinal(rec.partition);
    if (typeof ordinal !== 'number') {
      rejected.push({ index: i, key, reason: `record ${i} (key ${key}): ${ordinal.error}` });
      continue;
    }
    // JSON text escapes U+0000 and lone surrogates (\u0000, \ud800), so every payload is stored exactly.
    let payload: string | undefined;
    try {
      payload = JSON.stringify(rec.payload);
    } catch (err) {
      rejected.push({
        index: i,
        key,
        reason: `record ${i} (key ${key}): payload is not JSON-serialisable (${(err as Error).message})`,
      });
      continue;
    }
    if (payload === undefined) {
      rejected.push({ index: i, key, reason: `record ${i} (key ${key}): payload is missing` });
      continue;
    }
    if (payload.length > MAX_PAYLOAD_BYTES) {
      rejected.push({
        index: i,
        key,
        reason: `record ${i} (key ${key}): payload is ${payload.length} bytes, the limit is ${MAX_PAYLOAD_BYTES}`,
      });
      continue;
    }
    const earlier = index.get(key);
    if (earlier !== undefined) {
      duplicatesInBatch++;
      if (mode === 'update') {
        rows[earlier] = { key, ordinal, payload, source };
        positions[earlier] = i;
      }
      continue;
    }
    index.set(key, rows.length);
    rows.push({ key, ordinal, payload, source });
    positions.push(i);
  }
  return { rows, positions, rejected: rejected.items, rejectedCount: rejected.count, duplicatesInBatch };
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return `${typeof v} ${s.length > 40 ? `${s.slice(0, 37)}...` : s}`;
}

import type { Range } from '../../domain/range-set.js';
import { GapwardenError } from '../../internal/errors.js';
import type { ArchiveEvent, ArchiveManifest, ArchiveState, ManifestFilter } from './archive-store.js';

export const MANIFEST_COLUMNS = `id, dataset, day, part, object_key AS "objectKey", state, records, bytes,
  raw_bytes AS "rawBytes", sha256, ordinals, deleted_records AS "deletedRecords", error,
  created_at AS "createdAt", updated_at AS "updatedAt", verified_at AS "verifiedAt",
  deleted_at AS "deletedAt", restored_at AS "restoredAt", expired_at AS "expiredAt"`;

export const EVENT_COLUMNS = `e.id, e.manifest_id AS "manifestId", m.dataset, m.day, e.at, e.event, e.detail`;

export function toManifest(row: Record<string, unknown>): ArchiveManifest {
  return {
    ...(row as unknown as ArchiveManifest),
    id: Number(row.id),
    part: Number(row.part),
    records: Number(row.records),
    bytes: Number(row.bytes),
    rawBytes: Number(row.rawBytes),
    deletedRecords: Number(row.deletedRecords),
    ordinals: JSON.parse(String(row.ordinals)) as Range[],
  };
}

export const toEvent = (row: Record<string, unknown>): ArchiveEvent =>
  ({ ...row, id: Number(row.id), manifestId: Number(row.manifestId) }) as ArchiveEvent;

/** The states a transition may start from, and the event it records. */
export const TRANSITIONS = {
  uploaded: { from: ['uploading', 'failed'], event: 'uploaded' },
  verified: { from: ['uploaded', 'restored'], event: 'verified' },
  failed: { from: ['uploaded', 'restored', 'verified', 'uploading'], event: 'verify-failed' },
  uploading: { from: ['failed'], event: null },
  deleting: { from: ['verified'], event: null },
  deleted: { from: ['deleting'], event: 'deleted' },
  restored: { from: ['deleted', 'deleting', 'restored'], event: 'restored' },
  expired: { from: ['deleted', 'verified', 'uploaded', 'failed', 'restored'], event: 'expired' },
} as const satisfies Record<string, { from: readonly ArchiveState[]; event: ArchiveEvent['event'] | null }>;

export type Transition = keyof typeof TRANSITIONS;

/** The error for a manifest not in a state the step may start from (another process moved it). */
export function wrongState(id: number, found: string | undefined, to: Transition): GapwardenError {
  if (found === undefined) return new GapwardenError('NOT_FOUND', `no archive manifest ${id}`);
  return new GapwardenError(
    'STORE_FAILED',
    `archive manifest ${id} is ${found}; moving it to ${to} needs one of ${TRANSITIONS[to].from.join(', ')} (another process may have moved it: run again)`,
    { retryable: true, details: { id, state: found, to } },
  );
}

/** WHERE clause and values of a manifest filter, with the dialect's placeholder. */
export function manifestWhere(filter: ManifestFilter, placeholder: (n: number) => string) {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(placeholder(values.length)));
  };
  if (filter.dataset !== undefined) add((p) => `dataset = ${p}`, filter.dataset);
  if (filter.day !== undefined) add((p) => `day = ${p}`, filter.day);
  if (filter.fromDay !== undefined) add((p) => `day >= ${p}`, filter.fromDay);
  if (filter.toDay !== undefined) add((p) => `day <= ${p}`, filter.toDay);
  if (filter.states !== undefined && filter.states.length > 0) {
    const ps = filter.states.map((s) => {
      values.push(s);
      return placeholder(values.length);
    });
    where.push(`state IN (${ps.join(', ')})`);
  }
  values.push(filter.limit ?? 1000);
  return {
    sql: `${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY day DESC, part LIMIT ${placeholder(values.length)}`,
    values,
  };
}

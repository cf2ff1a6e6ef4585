import type { Range } from '../../domain/range-set.js';

/**
 * Where one archive part is in its life. Each step is recorded before the
 * next begins, so a process killed anywhere resumes from the state it left:
 *
 *     uploading ─▶ uploaded ─▶ verified ─▶ deleting ─▶ deleted ─▶ expired
 *         ▲            │                                  │
 *         └── failed ◀─┘ (verification failed)            └─▶ restored ─▶ verified ...
 *
 * - `uploading`: the part is claimed; its object may be absent or stale. Resumed by writing it again
 *   from the records (still all in the store: nothing is deleted before `deleting`).
 * - `uploaded`: the object is written; its count, size and sha256 are in the manifest.
 * - `verified`: the object was read back and matched; nothing deleted yet.
 * - `deleting`: its partitions are marked archived (coverage keeps them present) and its records
 *   leave in batches; resumed by deleting again what is left (a delete of a gone row does nothing).
 * - `deleted`: every record of the object left the store.
 * - `failed`: verification found a difference; nothing was deleted. The next run writes it again.
 * - `restored`: its records were put back by `archive restore`; after the hold, retention verifies
 *   the object again and deletes them again (no new object: they are in this one).
 * - `expired`: past `keepArchives`, the object was deleted; the manifest stays as the record of it.
 */
export type ArchiveState =
  | 'uploading'
  | 'uploaded'
  | 'verified'
  | 'deleting'
  | 'deleted'
  | 'failed'
  | 'restored'
  | 'expired';

export const ARCHIVE_STATES: readonly ArchiveState[] = [
  'uploading',
  'uploaded',
  'verified',
  'deleting',
  'deleted',
  'failed',
  'restored',
  'expired',
];

/** One object of one (dataset, day): a day archived more than once (late records) has parts 1, 2, ... */
export interface ArchiveManifest {
  id: number;
  dataset: string;
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  part: number;
  objectKey: string;
  state: ArchiveState;
  /** Records in the object (0 until uploaded). */
  records: number;
  /** Size of the gzip object. */
  bytes: number;
  /** Size of the JSON Lines before compression. */
  rawBytes: number;
  /** sha256 of the object's bytes, hex ('' until uploaded). */
  sha256: string;
  /** The partitions (ordinals) the object holds records of. */
  ordinals: Range[];
  /** Records deleted from the store so far. */
  deletedRecords: number;
  /** Why the last verification failed (or the last step's error). */
  error: string | null;
  createdAt: number;
  updatedAt: number;
  verifiedAt: number | null;
  deletedAt: number | null;
  restoredAt: number | null;
  expiredAt: number | null;
}

/** What an upload measured, recorded with `markUploaded`. */
export interface UploadedObject {
  records: number;
  bytes: number;
  rawBytes: number;
  sha256: string;
  ordinals: Range[];
}

/** A stored record as the archive writes it. */
export interface ArchiveRecord {
  key: string;
  ordinal: number;
  payload: string;
  source: string | null;
  ingestedAt: number;
  updatedAt: number;
  /**
   * Where the store inserted it (SQLite rowid, PostgreSQL `records.seq` when the rollups part
   * added it), or null. A restore puts the record back at the same position, so a reader that
   * follows insertions by position (the rollups cursor) does not take it for a new one.
   */
  position: number | null;
}

/** A recorded step of the archive: the audit trail the dashboard and `archive list` show. */
export interface ArchiveEvent {
  id: number;
  manifestId: number;
  dataset: string;
  day: string;
  at: number;
  event: 'uploaded' | 'verified' | 'verify-failed' | 'deleted' | 'restored' | 'expired';
  detail: string | null;
}

export interface ManifestFilter {
  dataset?: string;
  day?: string;
  /** Days from (inclusive). */
  fromDay?: string;
  /** Days to (inclusive). */
  toDay?: string;
  states?: readonly ArchiveState[];
  limit?: number;
}

/**
 * The archive module's part of the store: manifests, their audit trail, and
 * the reads and deletes it makes on the core's records. Every method is one
 * transaction. The record deletes only remove rows whose key AND updated_at
 * match the archived copy, so a record changed after it was archived stays.
 */
export interface ArchiveStore {
  /** A new part for (dataset, day) in state `uploading`, numbered after the day's existing parts. */
  beginPart(
    dataset: string,
    day: string,
    objectKey: (part: number) => string,
    nowMs: number,
  ): Promise<ArchiveManifest>;
  /** `uploading` or `failed` → `uploaded`, with what was written. */
  markUploaded(id: number, object: UploadedObject, nowMs: number): Promise<ArchiveManifest>;
  /** `uploaded` or `restored` → `verified`. */
  markVerified(id: number, nowMs: number): Promise<ArchiveManifest>;
  /** → `failed` with the reason (from `uploaded` or `restored`); nothing is deleted. */
  markFailed(id: number, error: string, nowMs: number): Promise<ArchiveManifest>;
  /** `failed` → `uploading` (the next attempt writes it again). */
  retryUpload(id: number, nowMs: number): Promise<ArchiveManifest>;
  /**
   * `verified` → `deleting`, and in the same transaction the part's partitions are
   * recorded as archived ranges (coverage keeps them present from now on).
   */
  startDeleting(id: number, nowMs: number): Promise<ArchiveManifest>;
  /** Deletes the records listed (matching key and updated_at) in one transaction; adds to `deletedRecords`. */
  deleteRecords(
    id: number,
    rows: readonly { key: string; updatedAt: number }[],
    nowMs: number,
  ): Promise<number>;
  /** `deleting` → `deleted`. */
  markDeleted(id: number, nowMs: number): Promise<ArchiveManifest>;
  /** Inserts archived records back (existing keys untouched); returns how many were inserted. */
  restoreRecords(dataset: string, rows: readonly ArchiveRecord[]): Promise<number>;
  /** → `restored` (from `deleted` or `deleting`). */
  markRestored(id: number, restoredRecords: number, nowMs: number): Promise<ArchiveManifest>;
  /** → `expired`: the object was deleted past `keepArchives`. */
  markExpired(id: number, nowMs: number): Promise<ArchiveManifest>;
  getManifest(id: number): Promise<ArchiveManifest | undefined>;
  /** Newest day first, then part. */
  listManifests(filter?: ManifestFilter): Promise<ArchiveManifest[]>;
  listEvents(filter: { dataset?: string; manifestId?: number; limit: number }): Promise<ArchiveEvent[]>;

  /** The dataset's oldest stored ordinal, or null when it has no records. */
  oldestOrdinal(dataset: string): Promise<number | null>;
  countRecords(dataset: string, from: number, to: number): Promise<number>;
  /**
   * Stored records with ordinals in `[from, to]`, in (ordinal, key) order, after the
   * cursor `after` (exclusive), at most `limit`: the archive reads a day in pages.
   */
  readRecords(
    dataset: string,
    from: number,
    to: number,
    after: { ordinal: number; key: string } | undefined,
    limit: number,
  ): Promise<ArchiveRecord[]>;
}

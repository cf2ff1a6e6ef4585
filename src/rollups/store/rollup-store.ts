/** A stored cell of a rollup: one (bucket, dimension values) with its measures' bytes. */
export interface StoredCell {
  bucketStart: number;
  /** JSON array of the dimension values. */
  dims: string;
  count: number;
  state: Uint8Array;
}

/** Where a rollup has read its dataset up to: every record at or below `position` is counted. */
export interface RollupCursor {
  rollup: string;
  /** The insertion position (SQLite rowid, PostgreSQL `records.seq`) of the last record applied. */
  position: number;
  /** Records applied since the rollup began (rebuilds do not change it). */
  applied: number;
  updatedAt: number;
}

/** A detail record in insertion order. */
export interface DetailRow {
  seq: number;
  ordinal: number;
  payload: string;
  ingestedAt: number;
}

/** A cell to fold into the stored one (or to store when there is none). */
export interface CellDelta {
  bucketStart: number;
  dims: string;
  /** Returns the merged cell's bytes and count from the stored bytes (undefined: none stored). */
  mergeInto(stored: Uint8Array | undefined): { state: Uint8Array; count: number };
}

/** What a store that can fold inserted records in the ingest's transaction calls back (see `feedInserts`). */
export interface InsertFeed {
  /** The deltas of the records one ingest inserted (a pure function of them). */
  fold(rows: readonly { ordinal: number; payload: string }[]): readonly CellDelta[];
  /** The records were folded and the cursor moved past them, in the ingest's transaction. */
  applied(records: number): void;
  /** Folding failed; nothing of it was written, the records wait for the cursor. */
  failed(err: unknown): void;
}

/** A versioned top-N snapshot. */
export interface TopSnapshot {
  rollup: string;
  version: number;
  createdAt: number;
  /** What was ranked and over which range, and the entries: JSON as produced by the runtime. */
  body: Record<string, unknown>;
}

/**
 * The rollups module's part of the store. Records are read in insertion
 * order after a durable cursor; the cells of a batch and the cursor move in
 * one transaction, guarded by the cursor's previous position, so a batch is
 * applied once even after a crash or by two processes at once.
 */
export interface RollupStore {
  cursor(rollup: string): Promise<RollupCursor | undefined>;
  /**
   * The position up to which every record of `dataset` is committed and
   * visible: no record at or below it can appear later. On PostgreSQL this
   * waits for ingest transactions in flight (a brief SHARE lock on `records`),
   * since sequence values are taken before commit.
   */
  safePosition(dataset: string): Promise<number>;
  /**
   * Where the store can (SQLite: one writer, so an ingest's rows are the newest),
   * folds the records each ingest of `dataset` inserts into the cells inside the
   * ingest's own transaction and moves the cursor past them: the batch and its
   * counts commit together, so a retried batch (nothing inserted) counts nothing
   * and a crash loses or doubles neither. Only when the cursor has applied every
   * earlier record of the dataset; otherwise, or when folding fails, the records
   * are left to the cursor (`readAfter` / `apply`), the recovery path. Absent
   * where every record goes through the cursor (PostgreSQL). Returns the removal.
   */
  feedInserts?(rollup: string, dataset: string, feed: InsertFeed): () => void;
  /** Records of `dataset` with `after < seq <= upTo`, in insertion order, at most `limit`. */
  readAfter(dataset: string, after: number, upTo: number, limit: number): Promise<DetailRow[]>;
  /**
   * Folds `deltas` into the stored cells and moves the cursor from `from` to
   * `to`, in one transaction; returns false (changing nothing) when the
   * cursor is no longer at `from` (another process applied those records).
   */
  apply(
    rollup: string,
    from: number,
    to: number,
    applied: number,
    deltas: readonly CellDelta[],
    nowMs: number,
  ): Promise<boolean>;
  /**
   * Recomputes the cells of `[fromMs, toMs)` from detail, in one transaction
   * that holds the cursor: every record at or below the cursor is passed to
   * `fold` in chunks, then the range's cells are replaced by `result()`.
   * Records after the cursor are left to the incremental path, so nothing is
   * counted twice. Returns the cursor position used and the records read.
   */
  rebuild(
    rollup: string,
    dataset: string,
    fromMs: number,
    toMs: number,
    fold: (rows: readonly DetailRow[]) => void,
    result: () => ReadonlyArray<Omit<StoredCell, 'state'> & { state: Uint8Array }>,
    nowMs: number,
  ): Promise<{ position: number; records: number; cells: number }>;
  /** Cells with `fromMs <= bucketStart < toMs`, ordered by bucket. */
  readCells(rollup: string, fromMs: number, toMs: number): Promise<StoredCell[]>;
  /** The oldest record not yet applied (its ingest time) and how many are waiting, or undefined when caught up. */
  pending(dataset: string, after: number): Promise<{ oldestIngestedAt: number; records: number } | undefined>;
  /** Stores a snapshot as the next version and deletes all but the newest `keep`; returns its version. */
  saveSnapshot(rollup: string, body: Record<string, unknown>, keep: number, nowMs: number): Promise<number>;
  /** A snapshot by version, or the newest (`latest`). */
  snapshot(rollup: string, version: number | 'latest'): Promise<TopSnapshot | undefined>;
  /** The versions kept, newest first, without their bodies' entries. */
  listSnapshots(rollup: string): Promise<Array<{ version: number; createdAt: number }>>;
}

import Database from 'better-sqlite3';
import { GapwardenError } from '../../internal/errors.js';

export type SqliteDatabase = Database.Database;
export type SqliteStatement = Database.Statement;

/**
 * Opens a SQLite file (or `:memory:`) the way every gapwarden process must:
 * a busy timeout first, so a second process opening the same file waits for
 * locks instead of failing; WAL so readers never block the writer;
 * `synchronous=FULL` by default, so every committed transaction is on disk
 * before the commit returns (`NORMAL` loses none on a process crash, but may
 * lose the last ones on a power cut); foreign keys on.
 */
export function openSqliteDatabase(
  path: string,
  options: { synchronous?: 'FULL' | 'NORMAL' } = {},
): SqliteDatabase {
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(path);
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db?.close();
    throw toStoreError(`opening the SQLite database ${path}`, err);
  }
}

/** SQLite answers "busy"/"locked" when another connection holds the lock past the timeout; trying again may work. */
function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Turns anything a store operation threw into a GapwardenError: errors that
 * are already GapwardenErrors (an unknown dataset, ...) pass through; the rest
 * become `STORE_FAILED` with the original as `cause`.
 */
export function toStoreError(what: string, err: unknown): GapwardenError {
  if (err instanceof GapwardenError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const hint = /no such table/i.test(message) ? ' (has migrate() been called?)' : '';
  const code = (err as { code?: unknown } | null)?.code;
  return new GapwardenError('STORE_FAILED', `${what} failed: ${message}${hint}`, {
    cause: err,
    retryable: isRetryable(err),
    details: typeof code === 'string' ? { sqliteCode: code } : {},
  });
}

/** Runs one store operation, translating its failure with `toStoreError`. */
export function guard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toStoreError(what, err);
  }
}

/**
 * What a store part (see `store-part.ts`) gets on SQLite: the database, and
 * the two ways every call of the store goes through. `write` runs `fn` in one
 * `BEGIN IMMEDIATE` transaction (the write lock taken up front, so a
 * concurrent writer waits for the busy timeout rather than failing half-way)
 * and refuses it while the file is not the one opened; `read` translates a
 * failure the same way. Both throw GapwardenErrors naming `what`.
 * Statements are best prepared on first use: a part is built before
 * `migrate()` may have created its tables.
 */
export interface SqliteHandle {
  readonly db: SqliteDatabase;
  write<T>(what: string, fn: () => T): T;
  read<T>(what: string, fn: () => T): T;
  /**
   * Calls `listener` inside each ingest's write transaction, after its rows are
   * stored, with the records it inserted: a part can write what follows from
   * them in the same transaction (a crash keeps both or neither). The listener
   * must not throw (that would fail the ingest): it catches, and undoes its own
   * writes with a savepoint. Returns the removal. Absent on handles that do not
   * ingest.
   */
  onInserted?(listener: SqliteInsertListener): () => void;
}

/** The records one ingest inserted, as `SqliteHandle.onInserted` passes them. */
export interface SqliteInserted {
  dataset: string;
  datasetId: number;
  /**
   * The largest rowid of `records` before the ingest and after it. The write
   * lock is held, so every record with a rowid in `(before, after]` is one of
   * `rows`; there may be fewer rows than rowids (a row that met a conflict
   * can use up a rowid).
   */
  before: number;
  after: number;
  /** The rows inserted, in the order given (updated and unchanged ones left out). */
  rows: readonly { ordinal: number; payload: string }[];
  nowMs: number;
}

export type SqliteInsertListener = (inserted: SqliteInserted) => void;

import {
  accessSync,
  constants,
  existsSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeError, GapwardenError } from '../../internal/errors.js';
import type { Logger } from '../../internal/logger.js';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-connection.js';

/**
 * How much an acknowledged write survives. `full`: SQLite syncs the WAL on
 * every commit, so a write gapwarden acknowledged survives a power cut or an
 * OS crash. `normal`: it syncs only at checkpoints; a process crash loses
 * nothing, but a power cut may lose the last commits.
 */
export type SqliteDurability = 'full' | 'normal';

/**
 * What opening does when the file is absent:
 * - `first-run`: creates it, unless a store existed at that path before (its
 *   marker file, or a leftover `-wal`, is there): then `STORE_MISSING`;
 * - `always`: creates it (the explicit "start an empty store" choice);
 * - `never`: `STORE_MISSING` (verbs that only read).
 */
export type SqliteCreatePolicy = 'first-run' | 'always' | 'never';

/** Device and inode of the file as opened: a different pair at the same path is another file. */
export interface SqliteFileIdentity {
  dev: number;
  ino: number;
}

export interface OpenedSqliteFile {
  db: SqliteDatabase;
  /** Undefined for `:memory:`. */
  identity: SqliteFileIdentity | undefined;
}

/**
 * The file that records a store was created at a path: `.<name>.created`
 * beside it. A dot file, so neither `rm gapwarden.db*` nor `rm *` takes it
 * with the store.
 */
export function sqliteMarkerPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.created`);
}

/** Every file a SQLite store at `path` consists of, its marker included. */
export function sqliteStoreFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, sqliteMarkerPath(path)];
}

const MEMORY = ':memory:';

/**
 * Opens the store's SQLite file: applies the create policy, refuses a file it
 * cannot write (with a message naming it), sets the durability, remembers the
 * file's identity and writes the marker that a store exists here.
 */
export function openSqliteStoreFile(
  path: string,
  options: { durability: SqliteDurability; create: SqliteCreatePolicy; logger: Logger },
): OpenedSqliteFile {
  const synchronous = options.durability === 'full' ? 'FULL' : 'NORMAL';
  if (path === MEMORY) return { db: openSqliteDatabase(path, { synchronous }), identity: undefined };
  if (existsSync(path)) assertWritable(path);
  else prepareMissing(path, options.create, options.logger);
  let db: SqliteDatabase;
  try {
    db = openSqliteDatabase(path, { synchronous });
  } catch (err) {
    throw describeSqliteFileProblem(`opening the SQLite database ${path}`, path, err) ?? err;
  }
  const { dev, ino } = statSync(path);
  writeMarker(path, options.logger);
  return { db, identity: { dev, ino } };
}

function assertWritable(path: string): void {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
    throw new GapwardenError(
      'STORE_UNAVAILABLE',
      `the SQLite file ${path} is not writable (${code}): ${READ_ONLY_FIX}`,
      {
        cause: err,
        details: { store: path, code },
      },
    );
  }
}

const READ_ONLY_FIX =
  'let the user running gapwarden write it and its folder (SQLite writes the -wal and -shm files beside it); check its owner and mode, that it is not immutable (lsattr) and that its file system is not mounted read-only';

function prepareMissing(path: string, create: SqliteCreatePolicy, logger: Logger): void {
  if (create === 'never') {
    throw new GapwardenError(
      'STORE_MISSING',
      `no store at ${path}: run \`gapwarden serve\` first (it creates the store), or point --config/--dir at the folder that holds it`,
      { details: { store: path } },
    );
  }
  const evidence = storeExistedEvidence(path);
  if (evidence === undefined) return;
  if (create === 'first-run') {
    throw new GapwardenError(
      'STORE_MISSING',
      `the SQLite store ${path} is missing, but a store existed there (${evidence}): it was deleted or moved. Restore it (with its -wal file, if any); to start over with an empty store instead, run \`gapwarden serve --create-store\` once`,
      { details: { store: path, evidence } },
    );
  }
  // An old -wal beside a new file would be replayed into it: set the leftovers aside, never delete them.
  for (const f of [`${path}-wal`, `${path}-shm`]) {
    if (!existsSync(f)) continue;
    const aside = `${f}.orphaned-${Date.now()}`;
    renameSync(f, aside);
    logger.warn({ msg: 'leftover store file set aside', store: path, file: f, movedTo: aside });
  }
  logger.warn({ msg: 'creating an empty store where one existed', store: path, evidence });
}

/** Why we believe a store existed at `path`, or undefined when nothing says so. */
function storeExistedEvidence(path: string): string | undefined {
  const marker = sqliteMarkerPath(path);
  if (existsSync(marker)) {
    let since = '';
    try {
      since = /^created: (.+)$/m.exec(readFileSync(marker, 'utf8'))?.[1] ?? '';
    } catch {}
    return `${marker} records it was created${since ? ` on ${since}` : ''}`;
  }
  if (existsSync(`${path}-wal`)) return `its write-ahead log ${path}-wal is still there`;
  return undefined;
}

function writeMarker(path: string, logger: Logger): void {
  const marker = sqliteMarkerPath(path);
  if (existsSync(marker)) return;
  const text = [
    `gapwarden store: ${basename(path)}`,
    `created: ${new Date().toISOString()}`,
    '',
    `While this file exists, gapwarden refuses to create a new, empty ${basename(path)} here when that`,
    'file is missing (a deleted or moved store must not be replaced silently). To start over with an',
    'empty store, run `gapwarden serve --create-store` once, or delete this file with the store.',
    '',
  ].join('\n');
  try {
    writeFileSync(marker, text, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      logger.warn({
        msg: 'could not write the store marker',
        store: path,
        marker,
        error: describeError(err),
      });
  }
}

/** The SQLite result code a store error carries, whether raw or already translated. */
export function sqliteCodeOf(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; details?: { sqliteCode?: unknown }; cause?: unknown } | null; e; ) {
    if (typeof e.details?.sqliteCode === 'string') return e.details.sqliteCode;
    if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}

/** What kind of lasting file problem a SQLite code means, if any. */
export function sqliteFileProblem(
  code: string | undefined,
): 'full' | 'read-only' | 'cannot-open' | 'io' | 'damaged' | undefined {
  if (code === undefined) return undefined;
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM') return 'read-only';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'cannot-open';
  if (code.startsWith('SQLITE_IOERR')) return 'io';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'damaged';
  return undefined;
}

/**
 * A store error that names the file and says what to do, for failures that
 * come from the file or its disk rather than from the call; undefined for
 * any other failure.
 */
export function describeSqliteFileProblem(
  what: string,
  path: string,
  err: unknown,
): GapwardenError | undefined {
  const code = sqliteCodeOf(err);
  const problem = sqliteFileProblem(code);
  if (problem === undefined) return undefined;
  const raw = describeError(err instanceof GapwardenError && err.cause ? err.cause : err);
  const why = {
    full: `the disk holding the SQLite file ${path} is full (${raw}): free space there; the write was not stored, and sending it again once there is space is safe`,
    'read-only': `the SQLite file ${path} is read-only (${raw}): ${READ_ONLY_FIX}`,
    'cannot-open': `cannot open the SQLite file ${path} or its -wal/-shm files (${raw}): check that its folder exists and that gapwarden may write there`,
    io: `I/O error on the SQLite file ${path} or its -wal/-shm files (${code}: ${raw}): check the disk and its file system`,
    damaged: `the SQLite file ${path} is damaged or not a SQLite database (${raw}): restore it from a backup`,
  }[problem];
  return new GapwardenError(
    problem === 'damaged' ? 'STORE_FAILED' : 'STORE_UNAVAILABLE',
    `${what} failed: ${why}`,
    {
      cause: err instanceof GapwardenError && err.cause ? err.cause : err,
      retryable: problem !== 'damaged',
      details: { store: path, sqliteCode: code, problem },
    },
  );
}

import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describeError, GapwardenError } from '../../internal/errors.js';
import type { StoreHealth, StoreHealthTracker } from '../store-health.js';
import {
  type SqliteDatabase,
  type SqliteHandle,
  type SqliteStatement,
  toStoreError,
} from './sqlite-connection.js';
import {
  describeSqliteFileProblem,
  type SqliteFileIdentity,
  sqliteCodeOf,
  sqliteFileProblem,
} from './sqlite-store-file.js';

/** Free space below which a full disk is still taken as full, whatever a tiny write says. */
const MIN_FREE_BYTES = 1024 * 1024;

export interface SqliteStoreMonitorDeps {
  db: SqliteDatabase;
  path: string;
  identity: SqliteFileIdentity | undefined;
  tracker: StoreHealthTracker;
}

/** The handle every call of a SQLite store goes through, core and parts alike, and `health()`. */
export interface SqliteStoreMonitor extends SqliteHandle {
  /** Whether the database answers a trivial query; never throws. */
  ping(): boolean;
  health(): Promise<StoreHealth>;
}

/**
 * Watches the SQLite store for what a query cannot tell: its file deleted or
 * replaced while open (writes are then refused, before and after they run, so
 * none is acknowledged into a file nobody will open again), and writes
 * failing for lack of space or permission (remembered until a write
 * succeeds). It does so in `write`, the one transaction helper every write
 * goes through, so a method added to the contract, or a module's store part,
 * is covered without being listed anywhere. Errors from the file or its disk
 * name the file.
 */
export function createSqliteStoreMonitor(deps: SqliteStoreMonitorDeps): SqliteStoreMonitor {
  const { db, path, identity, tracker } = deps;
  let writeProblem: 'full' | 'other' | undefined;
  let probe: SqliteStatement | undefined;
  let pingStatement: SqliteStatement | undefined;
  const transaction = db.transaction((fn: () => unknown) => fn());

  /** Whether the path still names the file opened; records the answer with the tracker. */
  const checkFile = (): boolean => {
    if (identity === undefined || !db.open) return true;
    let reason: string | undefined;
    try {
      const st = statSync(path);
      if (st.dev !== identity.dev || st.ino !== identity.ino)
        reason = `the SQLite file ${path} was replaced by another file while gapwarden had it open: writes are refused so that none is stored where nobody will read it; restart gapwarden to use the file now at that path`;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      reason =
        code === 'ENOENT'
          ? `the SQLite file ${path} was deleted or moved while gapwarden had it open: writes are refused so that none is acknowledged into a deleted file; put the file back, or stop gapwarden and start it with --create-store to begin an empty store`
          : `the SQLite file ${path} cannot be checked (${describeError(err)}): writes are refused until it can`;
    }
    if (reason === undefined) tracker.clear('file');
    else tracker.fail('file', reason);
    return reason === undefined;
  };

  const refuseUnlessFileIntact = (what: string, after: boolean) => {
    if (checkFile()) return;
    throw new GapwardenError('STORE_UNAVAILABLE', `${what} failed: ${tracker.reasonFor('file')}`, {
      retryable: true,
      details: { store: path, ...(after ? { outcome: 'not stored in the file at that path' } : {}) },
    });
  };

  const enoughSpace = () => {
    try {
      const fs = statfsSync(dirname(path));
      // root may use the blocks the file system reserves; anyone else only what is available.
      const blocks = process.getuid?.() === 0 ? fs.bfree : fs.bavail;
      return blocks * fs.bsize >= MIN_FREE_BYTES;
    } catch {
      return true;
    }
  };

  const writeSucceeded = () => {
    if (writeProblem === undefined) return;
    // A tiny write may fit on a full disk where a batch does not: a full disk is over when there is space.
    if (writeProblem === 'full' && !enoughSpace()) return;
    writeProblem = undefined;
    tracker.clear('write');
  };

  /** Translates a failure; one from the file or its disk names it and is remembered when it came from a write. */
  const failed = (what: string, err: unknown, writing: boolean): GapwardenError => {
    const named = describeSqliteFileProblem(what, path, err);
    if (named && writing) {
      writeProblem = sqliteFileProblem(sqliteCodeOf(err)) === 'full' ? 'full' : 'other';
      tracker.fail('write', named.message.slice(named.message.indexOf(' failed: ') + ' failed: '.length));
    }
    return named ?? toStoreError(what, err);
  };

  const write = <T>(what: string, fn: () => T): T => {
    refuseUnlessFileIntact(what, false);
    let out: T;
    try {
      out = transaction.immediate(fn) as T;
    } catch (err) {
      throw failed(what, err, true);
    }
    refuseUnlessFileIntact(what, true);
    writeSucceeded();
    return out;
  };

  const read = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw failed(what, err, false);
    }
  };

  /** A real, tiny write: the oldest migration's row rewritten as it is. */
  const probeWrite = () => {
    try {
      probe ??= db.prepare(
        'UPDATE schema_migrations SET applied_at = applied_at WHERE version = (SELECT MIN(version) FROM schema_migrations)',
      );
      const statement = probe;
      transaction.immediate(() => statement.run());
      writeSucceeded();
    } catch (err) {
      failed('checking that the store takes writes', err, true);
    }
  };

  const ping = () => {
    try {
      pingStatement ??= db.prepare('SELECT 1').pluck();
      return pingStatement.get() === 1;
    } catch {
      return false;
    }
  };

  const health = async (): Promise<StoreHealth> => {
    if (!db.open) return { ok: false, reasons: ['the store is closed'] };
    const fileIntact = checkFile();
    if (fileIntact && writeProblem !== undefined && (writeProblem !== 'full' || enoughSpace())) probeWrite();
    const state = tracker.snapshot();
    if (ping()) return state;
    return { ok: false, reasons: [...state.reasons, `the SQLite file ${path} does not answer a query`] };
  };

  return { db, write, read, ping, health };
}

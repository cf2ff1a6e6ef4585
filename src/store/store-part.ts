import { GapwardenError } from '../internal/errors.js';
import type { PostgresHandle } from './postgres/postgres-connection.js';
import type { SqliteHandle } from './sqlite/sqlite-connection.js';

/** One schema change of a store part. Versions only ever grow; a released migration is never edited. */
export interface StorePartMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * A module's own part of the store contract: its tables (as migrations per
 * dialect) and its methods `T`, built once per store by the adapter in use.
 * The contract `T` lives in the module's `store/<part>-store.ts`, the two
 * builders in `store/sqlite/` and `store/postgres/` beside it, the same file
 * set for each dialect, and one contract test runs on both (see the jobs
 * module, `scheduler/store/`).
 *
 * @example
 * const jobs = store.part(jobStorePart); // memoised per store
 * await store.migrate(); // applies the core's and every registered part's migrations
 * await jobs.ensureJobs(['nightly'], Date.now());
 */
export interface StorePart<T> {
  /** Unique among parts: the key its applied migrations are tracked under (`store_part_migrations`). */
  readonly name: string;
  /** Its tables, per dialect; applied by `Store.migrate()` after the core's, in the same transaction. */
  readonly migrations: {
    readonly sqlite: readonly StorePartMigration[];
    readonly postgres: readonly StorePartMigration[];
  };
  /** Builds the part on a SQLite store: every write goes through `handle.write`. */
  sqlite(handle: SqliteHandle): T;
  /** Builds the part on a PostgreSQL store: `handle.transaction` retries like the core's writes. */
  postgres(handle: PostgresHandle): T;
}

/**
 * Keeps the parts of one store: each definition built once, and two
 * different definitions never under one name (their migrations would mix).
 */
export function createStorePartRegistry(build: (def: StorePart<unknown>) => unknown) {
  const built = new Map<StorePart<unknown>, unknown>();
  const byName = new Map<string, StorePart<unknown>>();
  return {
    part<T>(def: StorePart<T>): T {
      const d = def as StorePart<unknown>;
      if (built.has(d)) return built.get(d) as T;
      const other = byName.get(def.name);
      if (other && other !== d) {
        throw new GapwardenError(
          'STORE_FAILED',
          `two different store parts are named "${def.name}": each part needs a name of its own`,
        );
      }
      const instance = build(d);
      byName.set(def.name, d);
      built.set(d, instance);
      return instance as T;
    },
    /** Every part registered so far, in registration order. */
    registered: (): StorePart<unknown>[] => [...built.keys()],
  };
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * How the store contract suite reaches one kind of database. A database is
 * named by a `locator` string so that a child process (see
 * `store-claim-worker.ts`) can open the same one.
 */
export interface StoreAdapter {
  name: string;
  /** Creates a fresh, empty database and returns its locator. */
  createDatabase(): Promise<string>;
  /** Opens a new connection to the database (not migrated: the caller calls `migrate()`). */
  open(locator: string): Promise<Store>;
  /** Deletes the database; every store opened on it is closed by then. */
  dropDatabase(locator: string): Promise<void>;
}

/** Every store adapter. A new adapter is one more entry here; the suite runs unchanged. */
export const STORE_ADAPTERS: readonly StoreAdapter[] = [
  {
    name: 'sqlite',
    createDatabase: async () => join(await mkdtemp(join(tmpdir(), 'gapwarden-store-')), 'store.db'),
    open: async (path) => createSqliteStore({ path }),
    dropDatabase: async (path) => rm(join(path, '..'), { recursive: true, force: true }),
  },
];

export function storeAdapter(name: string): StoreAdapter {
  const adapter = STORE_ADAPTERS.find((a) => a.name === name);
  if (!adapter) throw new Error(`no store adapter named ${name}`);
  return adapter;
}

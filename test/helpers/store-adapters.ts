import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

/**
 * How the store contract suite reaches one kind of database. A database is
 * named by a `locator` string so that a child process (see
 * `store-claim-worker.ts`) can open the same one.
 */
export interface StoreAdapter {
  name: string;
  /** Why the suites for this adapter are skipped (its server is not reachable), or undefined to run them. */
  skip?: string | undefined;
  /** Creates a fresh, empty database and returns its locator. */
  createDatabase(): Promise<string>;
  /** Opens a new connection to the database (not migrated: the caller calls `migrate()`). */
  open(locator: string): Promise<Store>;
  /** Deletes the database; every store opened on it is closed by then. */
  dropDatabase(locator: string): Promise<void>;
}

/** A maintenance database on the PostgreSQL server the tests create their databases on. */
const PG_ADMIN_URL = process.env.GAPWARDEN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Undefined when the server answers; otherwise the reason the PostgreSQL suites skip. */
async function postgresUnreachable(): Promise<string | undefined> {
  try {
    await withAdmin((c) => c.query('SELECT 1'));
    return undefined;
  } catch (err) {
    const where = new URL(PG_ADMIN_URL);
    return `PostgreSQL not reachable at ${where.hostname}:${where.port || 5432} (${err instanceof Error ? err.message : String(err)}): start it or set GAPWARDEN_TEST_PG_URL`;
  }
}

const pgSkip = await postgresUnreachable();

/** Every store adapter. A new adapter is one more entry here; the suite runs unchanged. */
export const STORE_ADAPTERS: readonly StoreAdapter[] = [
  {
    name: 'sqlite',
    createDatabase: async () => join(await mkdtemp(join(tmpdir(), 'gapwarden-store-')), 'store.db'),
    open: async (path) => createSqliteStore({ path }),
    dropDatabase: async (path) => rm(join(path, '..'), { recursive: true, force: true }),
  },
  {
    name: 'postgres',
    skip: pgSkip,
    // A fresh database per test; its URL is the locator.
    async createDatabase() {
      const name = `gw_test_${randomBytes(6).toString('hex')}`;
      await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
      const url = new URL(PG_ADMIN_URL);
      url.pathname = `/${name}`;
      return url.toString();
    },
    open: async (url) => createPostgresStore({ url }),
    async dropDatabase(url) {
      const name = decodeURIComponent(new URL(url).pathname.slice(1));
      if (!/^gw_test_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop ${name}: not a test database`);
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  },
];

export function storeAdapter(name: string): StoreAdapter {
  const adapter = STORE_ADAPTERS.find((a) => a.name === name);
  if (!adapter) throw new Error(`no store adapter named ${name}`);
  return adapter;
}

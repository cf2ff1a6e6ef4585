import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { GapwardenError } from '../internal/errors.js';
import { describePostgresTarget, toStoreError } from '../store/postgres/postgres-connection.js';
import { sqliteStoreFiles } from '../store/sqlite/sqlite-store-file.js';

/** The environment variable the demo config reads its PostgreSQL URL from (never written into the file). */
export const DEMO_STORE_ENV = 'GAPWARDEN_DEMO_STORE';
/** The schema the demo keeps its tables in on PostgreSQL: its own, so a reset touches nothing else. */
export const DEMO_PG_SCHEMA = 'gapwarden_demo';

/** Where the demo keeps its data: a SQLite file in its folder, or a schema of a PostgreSQL database. */
export type DemoStore = { kind: 'sqlite' } | { kind: 'postgres'; url: string };

/** `--store` as given: a postgres:// or postgresql:// URL; CONFIG_INVALID otherwise (without echoing it). */
export function parseDemoStore(url: string | undefined): DemoStore {
  if (url === undefined) return { kind: 'sqlite' };
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {}
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
    throw new GapwardenError(
      'CONFIG_INVALID',
      `--store expects a PostgreSQL URL such as postgres://user@127.0.0.1:5432/gapwarden, found ${protocol ? `a ${protocol}// URL` : 'a value that is not a URL'}`,
    );
  }
  return { kind: 'postgres', url };
}

/**
 * Empties the demo's store so each run starts from nothing: deletes the SQLite
 * files (and the marker that a store existed) in `dir` and, on PostgreSQL, drops the demo's own schema (the store
 * creates it again when it migrates).
 */
export async function resetDemoStore(store: DemoStore, dir: string): Promise<void> {
  // The marker too: this deletion is on purpose, so the next open starts a new store without asking.
  for (const f of sqliteStoreFiles(join(dir, 'gapwarden.db'))) rmSync(f, { force: true });
  if (store.kind === 'sqlite') return;
  const client = new pg.Client({ connectionString: store.url, connectionTimeoutMillis: 5_000 });
  const what = `resetting the demo schema ${DEMO_PG_SCHEMA}`;
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${DEMO_PG_SCHEMA} CASCADE`);
  } catch (err) {
    throw toStoreError(what, err, describePostgresTarget(store.url));
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL for people to copy: the password, if any, replaced by `***`. */
export function displayUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

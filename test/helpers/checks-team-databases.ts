import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ConnectionDialect } from '../../src/config/compiled-checks.js';

/**
 * A team's own database for the checks suites: a fresh PostgreSQL database, a
 * fresh MariaDB/MySQL database, or a fresh SQLite file, per test file. `config`
 * is its `connections:` entry.
 */
export interface TeamDatabase {
  dialect: ConnectionDialect;
  /** Why the suites on this database are skipped (its server is not reachable), or undefined. */
  skip: string | undefined;
  create(): Promise<{ config: Record<string, unknown>; drop(): Promise<void> }>;
}

const PG_ADMIN = process.env.GAPWARDEN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MYSQL_ADMIN = process.env.GAPWARDEN_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function mysqlAdmin<T>(fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection({ uri: MYSQL_ADMIN, connectTimeout: 3000 });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const reason = (what: string, url: string, err: unknown) =>
  `${what} not reachable at ${new URL(url).host} (${err instanceof Error ? err.message : String(err)}): start it or set ${what === 'PostgreSQL' ? 'GAPWARDEN_TEST_PG_URL' : 'GAPWARDEN_TEST_MYSQL_URL'}`;

const pgSkip = await pgAdmin((c) => c.query('SELECT 1')).then(
  () => undefined,
  (err) => reason('PostgreSQL', PG_ADMIN, err),
);
const mysqlSkip = await mysqlAdmin((c) => c.query('SELECT 1')).then(
  () => undefined,
  (err) => reason('MariaDB', MYSQL_ADMIN, err),
);

const freshName = () => `gw_checks_${randomBytes(5).toString('hex')}`;

/** Every database a check connection reaches; suites loop over it. */
export const TEAM_DATABASES: readonly TeamDatabase[] = [
  {
    dialect: 'postgres',
    skip: pgSkip,
    async create() {
      const name = freshName();
      await pgAdmin((c) => c.query(`CREATE DATABASE ${name}`));
      const url = new URL(PG_ADMIN);
      url.pathname = `/${name}`;
      return {
        config: { postgres: url.toString() },
        drop: () => pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
      };
    },
  },
  {
    dialect: 'mysql',
    skip: mysqlSkip,
    async create() {
      const name = freshName();
      await mysqlAdmin((c) => c.query(`CREATE DATABASE ${name}`));
      const url = new URL(MYSQL_ADMIN);
      url.pathname = `/${name}`;
      return {
        config: { mysql: url.toString() },
        drop: () => mysqlAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name}`)).then(() => {}),
      };
    },
  },
  {
    dialect: 'sqlite',
    skip: undefined,
    async create() {
      const dir = mkdtempSync(join(tmpdir(), 'gapwarden-team-'));
      const file = join(dir, 'app.db');
      writeFileSync(file, '');
      return { config: { sqlite: file }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];

/** Column types of the task-platform schema per dialect. */
export const TIMESTAMP_TYPE: Record<ConnectionDialect, string> = {
  postgres: 'timestamp(3)',
  mysql: 'datetime(3)',
  sqlite: 'text',
};

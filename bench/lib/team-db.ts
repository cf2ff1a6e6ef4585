// A fresh team database for the checks benchmarks: a new PostgreSQL or MariaDB database on the local
// server, or a new SQLite file (WAL), with a writable check connection to it; `drop` removes it.
// Servers: GAPWARDEN_BENCH_PG_URL, GAPWARDEN_BENCH_MYSQL_URL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { CheckConnection } from '../../src/checks/connections/check-connection.js';
import { openCheckConnection } from '../../src/checks/connections/open-check-connection.js';
import type { ConnectionDialect } from '../../src/config/compiled-checks.js';

export const PG_URL = process.env.GAPWARDEN_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_URL = process.env.GAPWARDEN_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql';

export interface TeamDb {
  dialect: ConnectionDialect;
  target: string;
  conn: CheckConnection;
  drop(): Promise<void>;
}

export async function createTeamDb(dialect: ConnectionDialect, prefix: string): Promise<TeamDb> {
  const name = `gw_bench_${randomBytes(5).toString('hex')}`;
  const open = (target: string) =>
    openCheckConnection({
      name: 'app',
      dialect,
      target,
      writable: true,
      queryTimeoutMs: 600_000,
      poolSize: 2,
    });
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const target = join(dir, 'app.db');
    const db = new Database(target);
    db.pragma('journal_mode = WAL');
    db.close();
    const conn = open(target);
    return {
      dialect,
      target,
      conn,
      async drop() {
        await conn.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (dialect === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    const conn = open(url.toString());
    return {
      dialect,
      target: url.toString(),
      conn,
      async drop() {
        await conn.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const admin = await mysql.createConnection({ uri: MYSQL_URL });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  const conn = open(url.toString());
  return {
    dialect,
    target: url.toString(),
    conn,
    async drop() {
      await conn.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

import type { StorePartMigration } from '../../store/store-part.js';

const tables = (d: { int: string; blob: string; text: string; strict: string }) => `
  CREATE TABLE rollup_cursors (
    rollup     ${d.text} PRIMARY KEY,
    position   ${d.int} NOT NULL,
    applied    ${d.int} NOT NULL,
    updated_at ${d.int} NOT NULL
  )${d.strict};
  CREATE TABLE rollup_cells (
    rollup       ${d.text} NOT NULL,
    bucket_start ${d.int} NOT NULL,
    dims         ${d.text} NOT NULL,
    count        ${d.int} NOT NULL,
    state        ${d.blob} NOT NULL,
    updated_at   ${d.int} NOT NULL,
    PRIMARY KEY (rollup, bucket_start, dims)
  )${d.strict};
  CREATE TABLE rollup_snapshots (
    rollup     ${d.text} NOT NULL,
    version    ${d.int} NOT NULL,
    created_at ${d.int} NOT NULL,
    body       ${d.text} NOT NULL,
    PRIMARY KEY (rollup, version)
  )${d.strict};`;

/** SQLite reads records in insertion order by their rowid (AUTOINCREMENT since core migration 8: never reused). */
export const SQLITE_ROLLUP_MIGRATIONS: readonly StorePartMigration[] = [
  {
    version: 1,
    name: 'rollup cells, cursors and snapshots',
    sql: tables({ int: 'INTEGER', blob: 'BLOB', text: 'TEXT', strict: ' STRICT' }),
  },
];

/**
 * PostgreSQL has no rowid: `records.seq` (a sequence, filled for existing
 * rows too) gives the insertion order, indexed per dataset.
 */
export const POSTGRES_ROLLUP_MIGRATIONS: readonly StorePartMigration[] = [
  {
    version: 1,
    name: 'rollup cells, cursors and snapshots; records.seq',
    sql: `${tables({ int: 'bigint', blob: 'bytea', text: 'text', strict: '' })}
  ALTER TABLE records ADD COLUMN IF NOT EXISTS seq bigserial;
  CREATE INDEX IF NOT EXISTS records_dataset_seq ON records (dataset_id, seq);`,
  },
];

import type { Database } from 'better-sqlite3';
import { GapwardenError } from '../../internal/errors.js';

/** One schema change. Versions only ever grow; a released migration is never edited. */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema, as an ordered list of migrations. Tables are STRICT so SQLite
 * rejects a value of the wrong type (a fractional ordinal, a text timestamp)
 * the way PostgreSQL would, instead of storing it silently.
 */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE datasets (
        id             INTEGER PRIMARY KEY,
        name           TEXT    NOT NULL UNIQUE,
        created_at     INTEGER NOT NULL,
        last_insert_at INTEGER,
        last_source    TEXT,
        rejected_total INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      -- A rowid table: the (dataset_id, ordinal) index then carries the rowid,
      -- which orders records within one ordinal without a sort.
      CREATE TABLE records (
        dataset_id  INTEGER NOT NULL REFERENCES datasets (id),
        key         TEXT    NOT NULL,
        ordinal     INTEGER NOT NULL,
        payload     TEXT    NOT NULL,
        source      TEXT,
        ingested_at INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        version     INTEGER NOT NULL DEFAULT 1,
        UNIQUE (dataset_id, key)
      ) STRICT;
      CREATE INDEX records_dataset_ordinal ON records (dataset_id, ordinal);

      CREATE TABLE known_missing (
        dataset_id INTEGER NOT NULL REFERENCES datasets (id),
        ordinal    INTEGER NOT NULL,
        reason     TEXT    NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (dataset_id, ordinal)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE backfill_runs (
        id           INTEGER PRIMARY KEY,
        dataset_id   INTEGER NOT NULL REFERENCES datasets (id),
        trigger      TEXT    NOT NULL CHECK (trigger IN ('auto', 'manual', 'startup')),
        from_ordinal INTEGER NOT NULL,
        to_ordinal   INTEGER NOT NULL,
        requested    INTEGER NOT NULL DEFAULT 0,
        filled       INTEGER NOT NULL DEFAULT 0,
        failed       INTEGER NOT NULL DEFAULT 0,
        not_found    INTEGER NOT NULL DEFAULT 0,
        started_at   INTEGER NOT NULL,
        finished_at  INTEGER
      ) STRICT;
      CREATE INDEX backfill_runs_dataset ON backfill_runs (dataset_id, id);

      CREATE TABLE backfill_items (
        dataset_id      INTEGER NOT NULL REFERENCES datasets (id),
        ordinal         INTEGER NOT NULL,
        run_id          INTEGER NOT NULL REFERENCES backfill_runs (id),
        state           TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_until     INTEGER,
        last_error      TEXT,
        updated_at      INTEGER NOT NULL,
        PRIMARY KEY (dataset_id, ordinal)
      ) STRICT, WITHOUT ROWID;
      -- Claiming walks one state in (dataset, ordinal) order and filters on the
      -- due times, all from this covering index.
      CREATE INDEX backfill_items_claim
        ON backfill_items (state, dataset_id, ordinal, next_attempt_at, lease_until);
      -- Finishing a run asks whether any of its items are still queued.
      CREATE INDEX backfill_items_run ON backfill_items (run_id, state);

      CREATE TABLE source_health (
        dataset_id           INTEGER NOT NULL REFERENCES datasets (id),
        source               TEXT    NOT NULL,
        state                TEXT    NOT NULL CHECK (state IN ('closed', 'open', 'half-open')),
        consecutive_failures INTEGER NOT NULL,
        last_success_at      INTEGER,
        last_failure_at      INTEGER,
        last_error           TEXT,
        retry_at             INTEGER,
        updated_at           INTEGER NOT NULL,
        PRIMARY KEY (dataset_id, source)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'jobs, job runs and run leases',
    sql: `
      CREATE TABLE jobs (
        name        TEXT    PRIMARY KEY,
        paused      INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
        last_due_at INTEGER,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- One row per (job, due time): the UNIQUE constraint is what keeps two
      -- processes from running one due time twice; lease_until is the lease.
      CREATE TABLE job_runs (
        id          INTEGER PRIMARY KEY,
        job         TEXT    NOT NULL REFERENCES jobs (name),
        due_at      INTEGER NOT NULL,
        trigger     TEXT    NOT NULL CHECK (trigger IN ('schedule', 'catch-up', 'manual')),
        state       TEXT    NOT NULL CHECK (state IN ('running', 'ok', 'failed', 'timeout', 'skipped', 'cancelled')),
        attempt     INTEGER NOT NULL,
        holder      TEXT,
        lease_until INTEGER,
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        error       TEXT,
        records     INTEGER,
        detail      TEXT,
        UNIQUE (job, due_at)
      ) STRICT;
      CREATE INDEX job_runs_history ON job_runs (job, id);
      CREATE INDEX job_runs_running ON job_runs (state, lease_until) WHERE state = 'running';
    `,
  },
  {
    version: 3,
    name: 'backfill run cursors, sources newest partition, purge audit',
    sql: `
      -- A run over a range larger than the queue may hold is queued piece by piece:
      -- every open-gap partition up to queued_through is queued. NULL: queued whole at creation.
      ALTER TABLE backfill_runs ADD COLUMN queued_through INTEGER;
      CREATE INDEX backfill_runs_feeding ON backfill_runs (dataset_id, id)
        WHERE finished_at IS NULL AND queued_through IS NOT NULL;

      -- The newest partition the dataset's sources delivered: "not found" above it is not final.
      ALTER TABLE datasets ADD COLUMN source_newest INTEGER;

      CREATE TABLE purges (
        id           INTEGER PRIMARY KEY,
        dataset_id   INTEGER NOT NULL REFERENCES datasets (id),
        from_ordinal INTEGER NOT NULL,
        to_ordinal   INTEGER NOT NULL,
        records      INTEGER NOT NULL,
        known_missing INTEGER NOT NULL,
        queue_items  INTEGER NOT NULL,
        by_actor     TEXT    NOT NULL,
        at           INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX purges_dataset ON purges (dataset_id, id);
    `,
  },
  {
    version: 4,
    name: 'ingest activity per minute',
    sql: `
      -- New records per dataset and minute (ingested_at / 60000), and how many of them
      -- the backfill worker stored: the dashboard's activity chart reads minutes, not records.
      CREATE TABLE ingest_activity (
        dataset_id INTEGER NOT NULL REFERENCES datasets (id),
        minute     INTEGER NOT NULL,
        inserted   INTEGER NOT NULL,
        filled     INTEGER NOT NULL,
        PRIMARY KEY (dataset_id, minute)
      ) STRICT, WITHOUT ROWID;
      -- Records stored before count by the minute they were stored; who stored them is not known.
      INSERT INTO ingest_activity (dataset_id, minute, inserted, filled)
        SELECT dataset_id, ingested_at / 60000, COUNT(*), 0 FROM records GROUP BY dataset_id, ingested_at / 60000;
    `,
  },
  {
    version: 6,
    name: 'archived ranges',
    sql: `
      -- Partitions whose records were archived (verified in the object store) before they left
      -- the records table: coverage counts them as present, so no gap opens when detail rows go.
      CREATE TABLE archived_ranges (
        dataset_id   INTEGER NOT NULL REFERENCES datasets (id),
        from_ordinal INTEGER NOT NULL,
        to_ordinal   INTEGER NOT NULL,
        archived_at  INTEGER NOT NULL,
        PRIMARY KEY (dataset_id, from_ordinal, to_ordinal)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'backfill item holders',
    sql: `
      -- Who holds a running item's lease: a claimer takes over the items of a holder that is
      -- provably gone (its process exited on this machine) before their lease ends.
      ALTER TABLE backfill_items ADD COLUMN holder TEXT;
    `,
  },
  {
    version: 8,
    name: 'record positions are never reused',
    sql: `
      -- A record's rowid is its position, which rollups follow with a durable cursor. Without
      -- AUTOINCREMENT SQLite hands out the rowids of deleted newest rows again (a purge of the
      -- newest partitions, an archive that empties a dataset), and the records inserted next
      -- would sit behind the cursor, never counted. The table is rebuilt with an explicit
      -- AUTOINCREMENT key (still the rowid), keeping every position.
      CREATE TABLE records_v8 (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        dataset_id  INTEGER NOT NULL REFERENCES datasets (id),
        key         TEXT    NOT NULL,
        ordinal     INTEGER NOT NULL,
        payload     TEXT    NOT NULL,
        source      TEXT,
        ingested_at INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        version     INTEGER NOT NULL DEFAULT 1,
        UNIQUE (dataset_id, key)
      ) STRICT;
      INSERT INTO records_v8 (id, dataset_id, key, ordinal, payload, source, ingested_at, updated_at, version)
        SELECT rowid, dataset_id, key, ordinal, payload, source, ingested_at, updated_at, version FROM records;
      DROP TABLE records;
      ALTER TABLE records_v8 RENAME TO records;
      CREATE INDEX records_dataset_ordinal ON records (dataset_id, ordinal);
    `,
  },
];

/**
 * Applies the migrations not yet recorded in `schema_migrations`. Call it in
 * the store's write transaction (`BEGIN IMMEDIATE`): a second process opening
 * the same file waits for the write lock (busy_timeout), then finds
 * everything applied. Returns the versions it applied.
 */
export function applySqliteMigrations(
  db: Database,
  nowMs: number,
  migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .pluck()
      .all()
      .map((v) => Number(v)),
  );
  refuseNewer(applied, migrations, 'the database schema');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.exec(m.sql);
    record.run(m.version, m.name, nowMs);
    done.push(m.version);
  }
  return done;
}

/**
 * Applies a store part's migrations not yet recorded for it in
 * `store_part_migrations` (each part keeps its own versions, so a module's
 * tables never take a version number of the core's). Call it in the store's
 * write transaction, after the core's migrations. Returns the versions applied.
 */
export function applySqlitePartMigrations(
  db: Database,
  part: string,
  migrations: readonly SqliteMigration[],
  nowMs: number,
): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS store_part_migrations (
    part       TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (part, version)
  ) STRICT`);
  const applied = new Set(
    db
      .prepare('SELECT version FROM store_part_migrations WHERE part = ?')
      .pluck()
      .all(part)
      .map((v) => Number(v)),
  );
  refuseNewer(applied, migrations, `the store part "${part}"`);
  const record = db.prepare(
    'INSERT INTO store_part_migrations (part, version, name, applied_at) VALUES (?, ?, ?, ?)',
  );
  const done: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.exec(m.sql);
    record.run(part, m.version, m.name, nowMs);
    done.push(m.version);
  }
  return done;
}

/** A store migrated by a newer gapwarden is refused rather than half understood. */
function refuseNewer(
  applied: ReadonlySet<number>,
  migrations: readonly SqliteMigration[],
  what: string,
): void {
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (newest > known) {
    throw new GapwardenError(
      'STORE_FAILED',
      `${what} is at version ${newest}, newer than this gapwarden knows (${known}): upgrade gapwarden or point it at another database`,
      { details: { schemaVersion: newest, knownVersion: known } },
    );
  }
}

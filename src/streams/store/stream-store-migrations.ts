import type { StorePartMigration } from '../../store/store-part.js';

/** The tables of the streams part, per dialect (the same columns). Times are epoch ms. */
const tables = (d: { int: string; text: string; real: string; strict: string }) => `
  CREATE TABLE stream_checkpoints (
    pipeline     ${d.text} NOT NULL,
    topic        ${d.text} NOT NULL,
    acked        ${d.int} NOT NULL,
    dead_letters ${d.int} NOT NULL,
    last_id      ${d.text},
    lag          ${d.int},
    committed_at ${d.int} NOT NULL,
    PRIMARY KEY (pipeline, topic)
  )${d.strict};

  CREATE TABLE stream_minutes (
    pipeline         ${d.text} NOT NULL,
    minute           ${d.int} NOT NULL,
    messages         ${d.int} NOT NULL,
    dead_letters     ${d.int} NOT NULL,
    batches          ${d.int} NOT NULL,
    availability_sum ${d.real} NOT NULL,
    PRIMARY KEY (pipeline, minute)
  )${d.strict};

  -- A batch closed again after a redelivery replaces its earlier report.
  CREATE TABLE stream_batches (
    pipeline       ${d.text} NOT NULL,
    batch_id       ${d.text} NOT NULL,
    window_end     ${d.int} NOT NULL,
    status         ${d.text} NOT NULL CHECK (status IN ('complete', 'timed-out')),
    opened_at      ${d.int} NOT NULL,
    closed_at      ${d.int} NOT NULL,
    expected_keys  ${d.text} NOT NULL,
    reported_keys  ${d.int} NOT NULL,
    missing_keys   ${d.text} NOT NULL,
    missing_topics ${d.text} NOT NULL,
    availability   ${d.real} NOT NULL,
    PRIMARY KEY (pipeline, batch_id)
  )${d.strict};
  CREATE INDEX stream_batches_closed ON stream_batches (closed_at);
`;

// Module runs that threw, per minute: `gapwarden streams` shows them from any process.
const moduleFailures = (int: string) =>
  `ALTER TABLE stream_minutes ADD COLUMN module_failures ${int} NOT NULL DEFAULT 0;`;

export const SQLITE_STREAM_MIGRATIONS: readonly StorePartMigration[] = [
  {
    version: 1,
    name: 'stream checkpoints, minutes, batch reports',
    sql: tables({ int: 'INTEGER', text: 'TEXT', real: 'REAL', strict: ' STRICT' }),
  },
  { version: 2, name: 'stream module failures per minute', sql: moduleFailures('INTEGER') },
];

export const POSTGRES_STREAM_MIGRATIONS: readonly StorePartMigration[] = [
  {
    version: 1,
    name: 'stream checkpoints, minutes, batch reports',
    sql: tables({ int: 'bigint', text: 'text', real: 'double precision', strict: '' }),
  },
  { version: 2, name: 'stream module failures per minute', sql: moduleFailures('bigint') },
];

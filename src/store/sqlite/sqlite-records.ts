import type { ConflictMode } from '../../domain/conflict-mode.js';
import type { IngestOrigin, IngestWrite, RecordRow, StoredRecord } from '../store.js';
import type { SqliteActivity } from './sqlite-activity.js';
import type { SqliteDatabase } from './sqlite-connection.js';
import type { SqliteDatasets } from './sqlite-datasets.js';
import { createMultiRowStatements, ROWS_PER_STATEMENT } from './sqlite-multi-row.js';

/** Storing and reading records. */
export interface SqliteRecords {
  ingest(
    datasetId: number,
    rows: readonly RecordRow[],
    mode: ConflictMode,
    nowMs: number,
    origin: IngestOrigin,
  ): IngestWrite;
  list(datasetId: number, limit: number, beforeOrdinal: number | undefined): StoredRecord[];
  between(datasetId: number, from: number, to: number): StoredRecord[];
}

const COLUMNS =
  'INSERT INTO records (dataset_id, key, ordinal, payload, source, ingested_at, updated_at) VALUES';
// The dataset id and the timestamp are the same for every row: bound once by
// name (@d, @t), so each row binds only its own four values.
const ROW = '(@d, ?, ?, ?, ?, @t, @t)';
const PARAMS_PER_ROW = 4;

const SELECT_RECORD =
  'SELECT key, ordinal, payload, source, ingested_at AS ingestedAt, updated_at AS updatedAt FROM records';

export function createSqliteRecords(
  db: SqliteDatabase,
  datasets: SqliteDatasets,
  activity: SqliteActivity,
): SqliteRecords {
  const ignore = createMultiRowStatements(db, {
    head: COLUMNS,
    row: ROW,
    tail: 'ON CONFLICT (dataset_id, key) DO NOTHING RETURNING key, ordinal',
    paramsPerRow: PARAMS_PER_ROW,
    raw: true,
  });
  // version is 1 on insert and grows on each real change, so RETURNING tells
  // inserted (1) from updated (> 1); the WHERE leaves identical payloads alone.
  const update = createMultiRowStatements(db, {
    head: COLUMNS,
    row: ROW,
    tail: `ON CONFLICT (dataset_id, key) DO UPDATE SET
             payload = excluded.payload, source = excluded.source,
             updated_at = excluded.updated_at, version = version + 1
           WHERE payload <> excluded.payload
           RETURNING key, ordinal, version`,
    paramsPerRow: PARAMS_PER_ROW,
    raw: true,
  });
  const newest = db.prepare(
    `${SELECT_RECORD} WHERE dataset_id = ? ORDER BY ordinal DESC, rowid DESC LIMIT ?`,
  );
  const newestBefore = db.prepare(
    `${SELECT_RECORD} WHERE dataset_id = ? AND ordinal < ? ORDER BY ordinal DESC, rowid DESC LIMIT ?`,
  );
  const between = db.prepare(
    `${SELECT_RECORD} WHERE dataset_id = ? AND ordinal BETWEEN ? AND ? ORDER BY ordinal, rowid`,
  );

  const ingest = (
    datasetId: number,
    rows: readonly RecordRow[],
    mode: ConflictMode,
    nowMs: number,
    origin: IngestOrigin,
  ): IngestWrite => {
    const statements = mode === 'update' ? update : ignore;
    const named = { d: datasetId, t: nowMs };
    const inserted: string[] = [];
    const insertedOrdinals: number[] = [];
    const updated: string[] = [];
    // Where the last inserted key came from, to find its source afterwards.
    let lastChunk = -1;
    let lastKey = '';
    for (let offset = 0; offset < rows.length; offset += ROWS_PER_STATEMENT) {
      const size = Math.min(ROWS_PER_STATEMENT, rows.length - offset);
      const { statement, args } = statements.slot(size);
      for (let i = 0, j = 0; i < size; i++) {
        const row = rows[offset + i]!;
        args[j++] = row.key;
        args[j++] = row.ordinal;
        args[j++] = row.payload;
        args[j++] = row.source;
      }
      const written = statement.all(args, named) as [string, number, number?][];
      for (const [key, ordinal, version] of written) {
        if (version === undefined || version === 1) {
          inserted.push(key);
          insertedOrdinals.push(ordinal);
          lastChunk = offset;
          lastKey = key;
        } else {
          updated.push(key);
        }
      }
    }
    if (inserted.length > 0) {
      let source: string | null = null;
      const end = Math.min(rows.length, lastChunk + ROWS_PER_STATEMENT);
      for (let i = lastChunk; i < end; i++) {
        if (rows[i]!.key === lastKey) source = rows[i]!.source;
      }
      datasets.markInserted(datasetId, nowMs, source);
      activity.count(datasetId, nowMs, inserted.length, origin === 'backfill' ? inserted.length : 0);
    }
    return { inserted, updated, insertedOrdinals };
  };

  return {
    ingest(datasetId, rows, mode, nowMs, origin) {
      if (mode !== 'ignore' && mode !== 'update') {
        throw new RangeError(`ingest: mode must be 'ignore' or 'update', got ${JSON.stringify(mode)}`);
      }
      if (rows.length === 0) return { inserted: [], updated: [], insertedOrdinals: [] };
      return ingest(datasetId, rows, mode, nowMs, origin);
    },
    list(datasetId, limit, beforeOrdinal) {
      return (
        beforeOrdinal === undefined
          ? newest.all(datasetId, limit)
          : newestBefore.all(datasetId, beforeOrdinal, limit)
      ) as StoredRecord[];
    },
    between: (datasetId, from, to) => between.all(datasetId, from, to) as StoredRecord[],
  };
}

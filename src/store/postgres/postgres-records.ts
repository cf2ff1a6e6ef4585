import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type { ConflictMode } from '../../domain/conflict-mode.js';
import type { IngestOrigin, IngestWrite, RecordRow, StoredRecord } from '../store.js';
import type { PgClient } from './postgres-connection.js';
import type { PostgresDatasets } from './postgres-datasets.js';

/** Storing and reading records. */
export interface PostgresRecords {
  /** Call inside a transaction. */
  ingest(
    c: PgClient,
    datasetId: number,
    rows: readonly RecordRow[],
    mode: ConflictMode,
    nowMs: number,
    origin: IngestOrigin,
  ): Promise<IngestWrite>;
  list(
    c: PgClient,
    datasetId: number,
    limit: number,
    beforeOrdinal: number | undefined,
  ): Promise<StoredRecord[]>;
  between(c: PgClient, datasetId: number, from: number, to: number): Promise<StoredRecord[]>;
}

/**
 * A batch is COPYed into this per-connection temporary table, then moved into
 * `records` by one INSERT ... SELECT ... ON CONFLICT. COPY is the fastest way
 * in (one stream, no per-row parameters or array literals to parse), and the
 * INSERT's RETURNING tells exactly which keys were new. `ON COMMIT DELETE ROWS`
 * empties it at every commit; it is (re)created inside each ingest
 * transaction, so a connection that has never ingested, or whose creating
 * transaction rolled back, still finds it.
 */
const CREATE_STAGE = `CREATE TEMP TABLE IF NOT EXISTS gapwarden_ingest_stage (
  key text COLLATE "C", ordinal bigint, payload text, source text) ON COMMIT DELETE ROWS`;
const COPY_STAGE = 'COPY pg_temp.gapwarden_ingest_stage (key, ordinal, payload, source) FROM STDIN';

const MOVE = `INSERT INTO records (dataset_id, key, ordinal, payload, source, ingested_at, updated_at)
  SELECT $1, key, ordinal, payload, source, $2, $2 FROM pg_temp.gapwarden_ingest_stage`;
const INSERT_IGNORE = `${MOVE} ON CONFLICT (dataset_id, key) DO NOTHING RETURNING key, ordinal`;
// version is 1 on insert and grows on each real change, so RETURNING tells
// inserted (1) from updated (> 1); the WHERE leaves identical payloads alone.
const INSERT_UPDATE = `${MOVE} ON CONFLICT (dataset_id, key) DO UPDATE SET
    payload = excluded.payload, source = excluded.source,
    updated_at = excluded.updated_at, version = records.version + 1
  WHERE records.payload <> excluded.payload
  RETURNING key, ordinal, version`;

const SELECT_RECORD = `SELECT key, ordinal, payload, source, ingested_at AS "ingestedAt", updated_at AS "updatedAt"
  FROM records`;

// COPY's text format: backslash, tab, newline and carriage return are escaped; \N is NULL.
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPE = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const copyField = (s: string) => (NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE, (ch) => ESCAPES[ch]!) : s);

/** Rows per COPY data chunk: large enough to keep writes few, small enough to not build one huge string. */
const ROWS_PER_CHUNK = 2_000;

/**
 * COPY text lines for `rows`. An ordinal is written as JavaScript prints it, so
 * a value that is not an integer (1.5, NaN, 1e+21) fails the COPY and with it
 * the whole transaction, as the contract requires.
 */
function* copyChunks(rows: readonly RecordRow[]): Generator<string> {
  for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
    const end = Math.min(rows.length, start + ROWS_PER_CHUNK);
    let text = '';
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      text += `${copyField(r.key)}\t${r.ordinal}\t${copyField(r.payload)}\t${r.source === null ? '\\N' : copyField(r.source)}\n`;
    }
    yield text;
  }
}

export function createPostgresRecords(datasets: PostgresDatasets): PostgresRecords {
  return {
    async ingest(c, datasetId, rows, mode, nowMs, origin) {
      if (mode !== 'ignore' && mode !== 'update') {
        throw new RangeError(`ingest: mode must be 'ignore' or 'update', got ${JSON.stringify(mode)}`);
      }
      const inserted: string[] = [];
      const insertedOrdinals: number[] = [];
      const updated: string[] = [];
      if (rows.length === 0) return { inserted, updated, insertedOrdinals };
      await c.query(CREATE_STAGE);
      await pipeline(Readable.from(copyChunks(rows)), c.query(copyFrom(COPY_STAGE)));
      const { rows: written } = await c.query<[string, number, number?]>({
        name: mode === 'update' ? 'gw_ingest_update' : 'gw_ingest_ignore',
        text: mode === 'update' ? INSERT_UPDATE : INSERT_IGNORE,
        values: [datasetId, nowMs],
        rowMode: 'array',
      });
      for (const [key, ordinal, version] of written) {
        if (version === undefined || version === 1) {
          inserted.push(key);
          insertedOrdinals.push(ordinal);
        } else {
          updated.push(key);
        }
      }
      if (inserted.length > 0) {
        // The staging table is read in the order it was written, so the last
        // key returned is the batch's last new row; its source is the dataset's last.
        const lastKey = inserted[inserted.length - 1];
        let source: string | null = null;
        for (let i = rows.length - 1; i >= 0; i--) {
          if (rows[i]!.key === lastKey) {
            source = rows[i]!.source;
            break;
          }
        }
        const filled = origin === 'backfill' ? inserted.length : 0;
        await datasets.markInserted(c, datasetId, nowMs, source, inserted.length, filled);
      }
      return { inserted, updated, insertedOrdinals };
    },
    async list(c, datasetId, limit, beforeOrdinal) {
      const before = beforeOrdinal === undefined ? '' : 'AND ordinal < $3';
      const { rows } = await c.query<StoredRecord>(
        `${SELECT_RECORD} WHERE dataset_id = $1 ${before}
         ORDER BY ordinal DESC, ingested_at DESC, key DESC LIMIT $2`,
        beforeOrdinal === undefined ? [datasetId, limit] : [datasetId, limit, beforeOrdinal],
      );
      return rows;
    },
    async between(c, datasetId, from, to) {
      const { rows } = await c.query<StoredRecord>(
        `${SELECT_RECORD} WHERE dataset_id = $1 AND ordinal BETWEEN $2 AND $3
         ORDER BY ordinal, ingested_at, key`,
        [datasetId, from, to],
      );
      return rows;
    },
  };
}

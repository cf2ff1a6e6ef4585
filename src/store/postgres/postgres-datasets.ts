import { GapwardenError } from '../../internal/errors.js';
import { ACTIVITY_MINUTE_MS } from '../activity-minutes.js';
import type { DatasetStats } from '../store.js';
import type { PgClient } from './postgres-connection.js';

/** Dataset registration, name ↔ id resolution (cached), and per-dataset counters. */
export interface PostgresDatasets {
  ensure(c: PgClient, name: string, nowMs: number): Promise<void>;
  list(c: PgClient): Promise<string[]>;
  /** The id of a registered dataset; throws `DATASET_UNKNOWN` otherwise. */
  idOf(c: PgClient, name: string): Promise<number>;
  nameOf(c: PgClient, id: number): Promise<string>;
  /**
   * Notes an insert of `inserted` records, `filled` of them by backfill, and counts them in
   * the dataset's activity minute (called inside the ingest transaction).
   */
  markInserted(
    c: PgClient,
    id: number,
    nowMs: number,
    source: string | null,
    inserted: number,
    filled: number,
  ): Promise<void>;
  countRejected(c: PgClient, id: number, n: number): Promise<void>;
  stats(c: PgClient, id: number): Promise<DatasetStats>;
}

export function createPostgresDatasets(): PostgresDatasets {
  // Datasets are never deleted or renamed, so a resolved id stays valid for the
  // store's life; misses always go to the database (another process may have
  // registered the name since).
  const idByName = new Map<string, number>();
  const nameById = new Map<number, string>();
  const remember = (name: string, id: number) => {
    idByName.set(name, id);
    nameById.set(id, name);
    return id;
  };
  const list = async (c: PgClient) =>
    (await c.query<[string]>({ text: 'SELECT name FROM datasets ORDER BY name', rowMode: 'array' })).rows.map(
      ([name]) => name,
    );
  const selectId = async (c: PgClient, name: string) =>
    (
      await c.query<[number]>({
        name: 'gw_dataset_id',
        text: 'SELECT id FROM datasets WHERE name = $1',
        values: [name],
        rowMode: 'array',
      })
    ).rows[0]?.[0];

  return {
    async ensure(c, name, nowMs) {
      if (typeof name !== 'string' || name.length === 0) {
        throw new RangeError(`a dataset name must be a non-empty string, got ${JSON.stringify(name)}`);
      }
      if (idByName.has(name)) return;
      await c.query('INSERT INTO datasets (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [
        name,
        nowMs,
      ]);
      remember(name, (await selectId(c, name))!);
    },
    list,
    async idOf(c, name) {
      const cached = idByName.get(name);
      if (cached !== undefined) return cached;
      const id = await selectId(c, name);
      if (id !== undefined) return remember(name, id);
      const known = await list(c);
      throw new GapwardenError(
        'DATASET_UNKNOWN',
        `unknown dataset "${name}": the store has ${known.length ? `only ${known.map((k) => `"${k}"`).join(', ')}` : 'no datasets'}; register it with ensureDataset() first`,
        { details: { dataset: name, known } },
      );
    },
    async nameOf(c, id) {
      const cached = nameById.get(id);
      if (cached !== undefined) return cached;
      const { rows } = await c.query<[string]>({
        text: 'SELECT name FROM datasets WHERE id = $1',
        values: [id],
        rowMode: 'array',
      });
      const name = rows[0]?.[0];
      if (name === undefined) throw new GapwardenError('STORE_FAILED', `no dataset has id ${id}`);
      remember(name, id);
      return name;
    },
    async markInserted(c, id, nowMs, source, inserted, filled) {
      // One statement, so counting activity costs no extra round trip per batch. The CTE runs
      // after the UPDATE, so every ingest locks the dataset's row before its minute's row.
      await c.query({
        name: 'gw_dataset_inserted',
        text: `WITH counted AS (
                 INSERT INTO ingest_activity (dataset_id, minute, inserted, filled) VALUES ($3, $4, $5, $6)
                 ON CONFLICT (dataset_id, minute) DO UPDATE SET
                   inserted = ingest_activity.inserted + excluded.inserted,
                   filled = ingest_activity.filled + excluded.filled)
               UPDATE datasets SET last_insert_at = $1, last_source = $2 WHERE id = $3`,
        values: [nowMs, source, id, Math.floor(nowMs / ACTIVITY_MINUTE_MS), inserted, filled],
      });
    },
    async countRejected(c, id, n) {
      if (!Number.isSafeInteger(n) || n < 0) {
        throw new RangeError(`countRejected: n must be a non-negative integer, got ${n}`);
      }
      if (n > 0)
        await c.query('UPDATE datasets SET rejected_total = rejected_total + $1 WHERE id = $2', [n, id]);
    },
    async stats(c, id) {
      const { rows } = await c.query<DatasetStats>(
        `SELECT (SELECT count(*) FROM records WHERE dataset_id = d.id) AS records,
                d.last_insert_at AS "lastInsertAt", d.last_source AS "lastSource", d.rejected_total AS rejected
         FROM datasets d WHERE d.id = $1`,
        [id],
      );
      return rows[0]!;
    },
  };
}

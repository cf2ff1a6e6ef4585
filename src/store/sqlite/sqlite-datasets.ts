import { GapwardenError } from '../../internal/errors.js';
import type { DatasetStats } from '../store.js';
import type { SqliteDatabase } from './sqlite-connection.js';

/** Dataset registration, name ↔ id resolution (cached), and per-dataset counters. */
export interface SqliteDatasets {
  ensure(name: string, nowMs: number): void;
  list(): string[];
  /** The id of a registered dataset; throws `DATASET_UNKNOWN` otherwise. */
  idOf(name: string): number;
  nameOf(id: number): string;
  /** Notes an insert (called inside the ingest transaction). */
  markInserted(id: number, nowMs: number, source: string | null): void;
  countRejected(id: number, n: number): void;
  stats(id: number): DatasetStats;
}

export function createSqliteDatasets(db: SqliteDatabase): SqliteDatasets {
  const insert = db.prepare(
    'INSERT INTO datasets (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
  );
  const selectNames = db.prepare('SELECT name FROM datasets ORDER BY name').pluck();
  const selectId = db.prepare('SELECT id FROM datasets WHERE name = ?').pluck();
  const selectName = db.prepare('SELECT name FROM datasets WHERE id = ?').pluck();
  const updateInserted = db.prepare('UPDATE datasets SET last_insert_at = ?, last_source = ? WHERE id = ?');
  const addRejected = db.prepare('UPDATE datasets SET rejected_total = rejected_total + ? WHERE id = ?');
  const selectStats = db.prepare(`
    SELECT (SELECT count(*) FROM records WHERE dataset_id = d.id) AS records,
           d.last_insert_at AS lastInsertAt, d.last_source AS lastSource, d.rejected_total AS rejected
    FROM datasets d WHERE d.id = ?`);

  // Datasets are never deleted or renamed, so a resolved id stays valid for the
  // connection's life; misses always go to the database (another process may
  // have registered the name since).
  const idByName = new Map<string, number>();
  const nameById = new Map<number, string>();
  const remember = (name: string, id: number) => {
    idByName.set(name, id);
    nameById.set(id, name);
    return id;
  };

  return {
    ensure(name, nowMs) {
      if (typeof name !== 'string' || name.length === 0) {
        throw new RangeError(`a dataset name must be a non-empty string, got ${JSON.stringify(name)}`);
      }
      if (idByName.has(name)) return;
      insert.run(name, nowMs);
      remember(name, selectId.get(name) as number);
    },
    list: () => selectNames.all() as string[],
    idOf(name) {
      const cached = idByName.get(name);
      if (cached !== undefined) return cached;
      const id = selectId.get(name) as number | undefined;
      if (id !== undefined) return remember(name, id);
      const known = selectNames.all() as string[];
      throw new GapwardenError(
        'DATASET_UNKNOWN',
        `unknown dataset "${name}": the store has ${known.length ? `only ${known.map((k) => `"${k}"`).join(', ')}` : 'no datasets'}; register it with ensureDataset() first`,
        { details: { dataset: name, known } },
      );
    },
    nameOf(id) {
      const cached = nameById.get(id);
      if (cached !== undefined) return cached;
      const name = selectName.get(id) as string | undefined;
      if (name === undefined) throw new GapwardenError('STORE_FAILED', `no dataset has id ${id}`);
      remember(name, id);
      return name;
    },
    markInserted(id, nowMs, source) {
      updateInserted.run(nowMs, source, id);
    },
    countRejected(id, n) {
      if (!Number.isSafeInteger(n) || n < 0) {
        throw new RangeError(`countRejected: n must be a non-negative integer, got ${n}`);
      }
      if (n > 0) addRejected.run(n, id);
    },
    stats: (id) => selectStats.get(id) as DatasetStats,
  };
}

import { RangeSet } from '../../domain/range-set.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-connection.js';
import { createMultiRowStatements, ROWS_PER_STATEMENT } from './sqlite-multi-row.js';

/** Which ordinals are present (records) and which the source confirmed absent (known missing). */
export interface SqliteCoverage {
  loadCoverage(datasetId: number): RangeSet;
  /** Inserts known-missing rows; ordinals already known keep their first reason. Call inside a transaction. */
  insertKnownMissing(datasetId: number, ordinals: readonly number[], reason: string, nowMs: number): void;
  addKnownMissing(datasetId: number, ordinals: readonly number[], reason: string, nowMs: number): void;
  loadKnownMissing(datasetId: number): RangeSet;
}

/** Ordinals read per query while loading a set. */
const PAGE = 200_000;

/**
 * Reads a set of ordinals in ascending pages (keyset paging on `ordinal > ?`,
 * so each page starts with an index seek, never an OFFSET scan) and appends
 * them to a RangeSet, whose `add` is O(1) for ascending input.
 *
 * Each page comes back as ONE JSON array text (`json_group_array`) parsed by
 * `JSON.parse`, not as one result row per ordinal: better-sqlite3 spends
 * ~150 ns per row it hands to JS, and that dominated. Measured on 10M ordinals
 * with 1,000 holes (2 cores, Node 20, warm page cache, medians of 3):
 * `.pluck().iterate()` 6.7 s; one `.pluck().all()` 3.7 s; `.pluck().all()` in
 * pages of 200k 2.6 s; JSON pages of 200k 1.8 s (1M ordinals: 0.19 s).
 * Probing contiguous stretches with `LIMIT 1 OFFSET k` instead was 3.4 s:
 * SQLite steps over skipped rows at ~100 ns each. mmap and a bigger page cache
 * made no measurable difference.
 */
function loadOrdinalSet(page: SqliteStatement, datasetId: number): RangeSet {
  const set = new RangeSet();
  let after = Number.MIN_SAFE_INTEGER;
  let prev = Number.NaN;
  for (;;) {
    const ordinals = JSON.parse(page.get(datasetId, after, PAGE) as string) as number[];
    const n = ordinals.length;
    for (let i = 0; i < n; i++) {
      const v = ordinals[i]!;
      // Several records may share an ordinal: skip repeats here (cheaper than
      // SELECT DISTINCT, which measured ~2x slower).
      if (v !== prev) set.add(v);
      prev = v;
      // The page is ascending in practice; taking the max keeps paging correct even if not.
      if (v > after) after = v;
    }
    if (n < PAGE) return set;
  }
}

/** One page of ordinals `> ?`, ascending, at most `?`, as a JSON array. */
const jsonPage = (table: string) =>
  `SELECT json_group_array(ordinal) FROM (
     SELECT ordinal FROM ${table} WHERE dataset_id = ? AND ordinal > ? ORDER BY ordinal LIMIT ?)`;

export function createSqliteCoverage(db: SqliteDatabase): SqliteCoverage {
  const coveragePage = db.prepare(jsonPage('records')).pluck();
  const knownMissingPage = db.prepare(jsonPage('known_missing')).pluck();
  const archivedRanges = db
    .prepare('SELECT from_ordinal, to_ordinal FROM archived_ranges WHERE dataset_id = ?')
    .raw();
  const insertMissing = createMultiRowStatements(db, {
    head: 'INSERT INTO known_missing (dataset_id, ordinal, reason, created_at) VALUES',
    row: '(@d, ?, @r, @t)',
    tail: 'ON CONFLICT (dataset_id, ordinal) DO NOTHING',
    paramsPerRow: 1,
  });

  const insertKnownMissing = (
    datasetId: number,
    ordinals: readonly number[],
    reason: string,
    nowMs: number,
  ) => {
    const named = { d: datasetId, r: reason, t: nowMs };
    for (let offset = 0; offset < ordinals.length; offset += ROWS_PER_STATEMENT) {
      const size = Math.min(ROWS_PER_STATEMENT, ordinals.length - offset);
      const { statement, args } = insertMissing.slot(size);
      for (let i = 0; i < size; i++) args[i] = ordinals[offset + i];
      statement.run(args, named);
    }
  };
  return {
    loadCoverage(datasetId) {
      const set = loadOrdinalSet(coveragePage, datasetId);
      // Archived partitions were present: their records left for the object store, not lost.
      for (const [from, to] of archivedRanges.all(datasetId) as [number, number][]) set.addRange(from, to);
      return set;
    },
    insertKnownMissing,
    addKnownMissing(datasetId, ordinals, reason, nowMs) {
      if (ordinals.length > 0) insertKnownMissing(datasetId, ordinals, reason, nowMs);
    },
    loadKnownMissing: (datasetId) => loadOrdinalSet(knownMissingPage, datasetId),
  };
}

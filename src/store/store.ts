import type { RangeSet } from '../domain/range-set.js';
import type { SourceHealth } from '../sources/source.js';
import type { JobStore } from './job-store.js';

/** A record ready to store: its partition already validated into an ordinal. */
export interface RecordRow {
  key: string;
  ordinal: number;
  /** The payload as JSON text; compared verbatim to decide "updated" vs "unchanged". */
  payload: string;
  source: string | null;
}

export type ConflictMode = 'ignore' | 'update';

/** What one ingest call changed, by key. Keys not listed were unchanged duplicates. */
export interface IngestWrite {
  inserted: string[];
  updated: string[];
  /** Ordinals of the inserted keys, in the same order. */
  insertedOrdinals: number[];
}

export interface DatasetStats {
  records: number;
  /** When a record was last inserted (not a duplicate), ms. */
  lastInsertAt: number | null;
  lastSource: string | null;
  rejected: number;
}

export interface StoredRecord {
  key: string;
  ordinal: number;
  payload: string;
  source: string | null;
  ingestedAt: number;
  updatedAt: number;
}

export type BackfillItemState = 'pending' | 'running' | 'failed';

/** A partition waiting in (or stuck in) the backfill queue. */
export interface BackfillItem {
  dataset: string;
  ordinal: number;
  runId: number;
  state: BackfillItemState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export type BackfillOutcome =
  | { kind: 'filled'; source: string }
  | { kind: 'not_found' }
  | { kind: 'retry'; error: string; nextAttemptAt: number }
  | { kind: 'failed'; error: string };

export interface BackfillSettlement {
  dataset: string;
  ordinal: number;
  outcome: BackfillOutcome;
}

export interface BackfillRun {
  id: number;
  dataset: string;
  trigger: 'auto' | 'manual' | 'startup';
  fromOrdinal: number;
  toOrdinal: number;
  requested: number;
  filled: number;
  failed: number;
  notFound: number;
  startedAt: number;
  finishedAt: number | null;
}

/**
 * Everything gapwarden persists. Adapters (SQLite, PostgreSQL) pass one
 * contract suite (`test/store-contract.test.ts`, and the job side in
 * `test/job-store-contract.test.ts`). Every method that writes is one
 * transaction: it happens whole or not at all.
 */
export interface Store extends JobStore {
  /** Applies pending schema migrations. Safe to call on every start. */
  migrate(): Promise<void>;
  /** Whether the store answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;

  /** Registers a dataset (idempotent). */
  ensureDataset(name: string): Promise<void>;
  listDatasets(): Promise<string[]>;

  /**
   * Stores rows idempotently on (dataset, key); keys within `rows` must be
   * unique. `ignore` keeps the stored payload; `update` replaces it when it
   * differs and reports the key as updated.
   */
  ingest(
    dataset: string,
    rows: readonly RecordRow[],
    mode: ConflictMode,
    nowMs: number,
  ): Promise<IngestWrite>;
  /** Adds to the dataset's count of rejected records. */
  countRejected(dataset: string, n: number): Promise<void>;
  stats(dataset: string): Promise<DatasetStats>;
  /** Coverage rebuilt from the stored records: every ordinal present. */
  loadCoverage(dataset: string): Promise<RangeSet>;
  /** Newest first, by ordinal. */
  listRecords(dataset: string, options: { limit: number; beforeOrdinal?: number }): Promise<StoredRecord[]>;
  /** Stored records whose ordinals are in `[from, to]`, ascending. */
  recordsBetween(dataset: string, from: number, to: number): Promise<StoredRecord[]>;

  /** Marks ordinals the source confirmed do not exist. */
  addKnownMissing(dataset: string, ordinals: readonly number[], reason: string, nowMs: number): Promise<void>;
  loadKnownMissing(dataset: string): Promise<RangeSet>;

  /** Opens a backfill run and queues its ordinals; ordinals already queued stay in their run. Returns the run. */
  createBackfillRun(
    dataset: string,
    trigger: BackfillRun['trigger'],
    ordinals: readonly number[],
    nowMs: number,
  ): Promise<BackfillRun>;
  /**
   * Claims up to `limit` due items (pending with `nextAttemptAt <= nowMs`, or
   * running with an expired lease), marking them running until `nowMs + leaseMs`.
   */
  claimBackfill(nowMs: number, limit: number, leaseMs: number, dataset?: string): Promise<BackfillItem[]>;
  /**
   * Records outcomes: filled and not_found leave the queue (not_found also
   * becomes known-missing), retry goes back to pending, failed stays as failed.
   * Updates run counters and finishes runs with nothing left queued; returns the runs finished.
   */
  settleBackfill(settlements: readonly BackfillSettlement[], nowMs: number): Promise<BackfillRun[]>;
  /** Items of a dataset still queued or failed. */
  listBackfillItems(
    dataset: string,
    options?: { states?: BackfillItemState[]; limit?: number },
  ): Promise<BackfillItem[]>;
  /** Counts of queued items per state for a dataset. */
  countBackfillItems(dataset: string): Promise<Record<BackfillItemState, number>>;
  listBackfillRuns(dataset: string | undefined, limit: number): Promise<BackfillRun[]>;
  getBackfillRun(id: number): Promise<BackfillRun | undefined>;

  /** Persists a source's health so `status` in another process can show it. */
  saveSourceHealth(dataset: string, health: SourceHealth): Promise<void>;
  loadSourceHealth(dataset: string): Promise<SourceHealth[]>;
}

import type { ConflictMode } from '../domain/conflict-mode.js';
import type { RangeSet } from '../domain/range-set.js';
import type { SourceHealth } from '../domain/source-health.js';
import type { StoreHealth } from './store-health.js';
import type { StorePart } from './store-part.js';

/** A record ready to store: its partition already validated into an ordinal. */
export interface RecordRow {
  key: string;
  ordinal: number;
  /** The payload as JSON text; compared verbatim to decide "updated" vs "unchanged". */
  payload: string;
  source: string | null;
}

/** Who stored a batch: a collector, a push or a library call (`ingest`), or the backfill worker. */
export type IngestOrigin = 'ingest' | 'backfill';

/** What a dataset stored in one span of time: a bar of the dashboard's activity chart. */
export interface ActivityBucket {
  /** When the span starts, ms since the epoch: a multiple of its length. */
  start: number;
  /** New records stored (updates and duplicates store nothing new). */
  inserted: number;
  /** Of those, the records the backfill worker stored: partitions filled. */
  filled: number;
}

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
  /** The source does not have it yet (it has not published that far): ask again at `nextAttemptAt`; attempts start over. */
  | { kind: 'defer'; reason: string; nextAttemptAt: number }
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

/** A run opened over a range whose partitions are queued piece by piece as the queue drains. */
export interface BackfillRunCursor {
  id: number;
  dataset: string;
  fromOrdinal: number;
  toOrdinal: number;
  /** Every open-gap partition of `[fromOrdinal, queuedThrough]` has been queued; `fromOrdinal - 1` at first. */
  queuedThrough: number;
}

/** What `feedBackfillRun` did. */
export interface BackfillFeed {
  run: BackfillRun;
  /** Partitions newly queued into the run (those already queued by another run are not counted). */
  queued: number;
  queuedThrough: number;
}

/** Who asked for a purge (recorded with it). */
export type PurgeActor = 'cli' | 'api' | 'library';

/** Which stored facts about `[from, to]` (ordinals) an operator wants removed. */
export interface PurgeRequest {
  from: number;
  to: number;
  /** Delete the records stored in the range. */
  records: boolean;
  /** Forget the partitions marked known missing in the range. */
  knownMissing: boolean;
  by: PurgeActor;
  /** Count only; change nothing and record nothing. */
  dryRun?: boolean;
}

/** What a purge removed (or, for a dry run, would remove). */
export interface PurgeReport {
  /** The audit row's id; null for a dry run. */
  id: number | null;
  dataset: string;
  fromOrdinal: number;
  toOrdinal: number;
  records: number;
  knownMissing: number;
  /** Backfill queue items of the range removed with it (their partitions are queued again from the gaps). */
  queueItems: number;
  by: PurgeActor;
  at: number;
  dryRun: boolean;
}

/**
 * What the core loop persists: records, coverage, known-missing partitions,
 * the backfill queue and its runs, purges, source health and the sources'
 * newest partition. Adapters (SQLite, PostgreSQL) pass one contract suite
 * (`test/store-contract.test.ts`). Every method that writes is one
 * transaction: it happens whole or not at all. A module keeps what it
 * persists in a part of its own (`part()`, see `store-part.ts`), so this
 * interface does not grow with each capability.
 */
/** Who claims backfill items, and whose live leases it may take over (holders provably gone). */
export interface BackfillClaimer {
  holder: string;
  goneHolders?: readonly string[];
}

export interface Store {
  /**
   * A module's part of the store, built on this store's adapter once (the same
   * definition always returns the same object). Register parts before
   * `migrate()`: it applies the migrations of every part registered so far.
   */
  part<T>(def: StorePart<T>): T;
  /** Applies pending schema migrations, the core's and then each registered part's. Safe to call on every start. */
  migrate(): Promise<void>;
  /** Whether the store answers a trivial query. */
  ping(): Promise<boolean>;
  /**
   * Whether the store can take writes now: it answers, its SQLite file is
   * still the one opened, and no write is failing for lack of space,
   * permission or connection. While a write failure is remembered it tries a
   * tiny write itself, so it recovers without traffic. Never throws.
   */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;

  /** Registers a dataset (idempotent). */
  ensureDataset(name: string): Promise<void>;
  listDatasets(): Promise<string[]>;

  /**
   * Stores rows idempotently on (dataset, key); keys within `rows` must be
   * unique. `ignore` keeps the stored payload; `update` replaces it when it
   * differs and reports the key as updated. The inserted rows are counted in the
   * dataset's activity for `nowMs`'s minute, as filled too when `origin` is `backfill`.
   */
  ingest(
    dataset: string,
    rows: readonly RecordRow[],
    mode: ConflictMode,
    nowMs: number,
    origin?: IngestOrigin,
  ): Promise<IngestWrite>;
  /**
   * What the dataset stored from `fromMs` (inclusive) to `toMs` (exclusive) in spans of
   * `bucketMs` (a whole number of minutes) aligned to multiples of it since the epoch,
   * ascending; spans in which nothing was stored are left out. Kept per minute, so the
   * work grows with the minutes read, never with the records.
   */
  listActivity(dataset: string, fromMs: number, toMs: number, bucketMs: number): Promise<ActivityBucket[]>;
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

  /**
   * Opens a backfill run and queues its ordinals (a bounded list: large ranges go
   * through `openBackfillRun`); ordinals already queued stay in their run. Returns the run.
   */
  createBackfillRun(
    dataset: string,
    trigger: BackfillRun['trigger'],
    ordinals: readonly number[],
    nowMs: number,
  ): Promise<BackfillRun>;
  /**
   * Opens a run over `[from, to]` that queues nothing yet: its partitions are queued
   * piece by piece with `feedBackfillRun`, and it finishes once its whole range is
   * queued and none of its items is pending or running.
   */
  openBackfillRun(
    dataset: string,
    trigger: BackfillRun['trigger'],
    from: number,
    to: number,
    nowMs: number,
  ): Promise<BackfillRun>;
  /** The dataset's runs from `openBackfillRun` whose range is not queued whole yet, oldest first. */
  listFeedingBackfillRuns(dataset: string): Promise<BackfillRunCursor[]>;
  /**
   * Queues `ordinals` (a bounded chunk within `(expectedThrough, through]`) into the run and
   * moves its cursor to `through`, if the cursor is still at `expectedThrough`; otherwise
   * (another process fed it first) changes nothing and returns undefined. Finishes the run
   * when its range is queued whole and none of its items is pending or running.
   */
  feedBackfillRun(
    runId: number,
    expectedThrough: number,
    ordinals: readonly number[],
    through: number,
    nowMs: number,
  ): Promise<BackfillFeed | undefined>;
  /**
   * Claims up to `limit` due items (pending with `nextAttemptAt <= nowMs`,
   * running with an expired lease, or running under one of `claimer.goneHolders`
   * whatever its lease), marking them running until `nowMs + leaseMs` and held
   * by `claimer.holder`.
   */
  claimBackfill(
    nowMs: number,
    limit: number,
    leaseMs: number,
    dataset?: string,
    claimer?: BackfillClaimer,
  ): Promise<BackfillItem[]>;
  /** The holders of items running under a live lease (`leaseUntil > nowMs`), for the claimer to judge. */
  listBackfillHolders(nowMs: number): Promise<string[]>;
  /**
   * Records outcomes: filled and not_found leave the queue (not_found also
   * becomes known-missing), retry goes back to pending, defer goes back to
   * pending with its attempts reset, failed stays as failed.
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

  /** Notes that the dataset's sources delivered partition `ordinal`; the store keeps the newest. */
  noteSourceNewest(dataset: string, ordinal: number): Promise<void>;
  /** The newest partition the dataset's sources have delivered, or null. */
  loadSourceNewest(dataset: string): Promise<number | null>;

  /**
   * Removes stored facts about the ordinals `[from, to]` in one transaction: records
   * and/or known-missing marks as asked, and the backfill queue items of the range
   * (runs left with nothing queued finish); a purge that removes records in the range
   * of the sources' newest partition forgets it. Recorded as an audit row unless a dry run.
   */
  purgePartitions(dataset: string, request: PurgeRequest, nowMs: number): Promise<PurgeReport>;
  /** Purges recorded for the dataset, newest first. */
  listPurges(dataset: string, limit: number): Promise<PurgeReport[]>;

  /** Persists a source's health so `status` in another process can show it. */
  saveSourceHealth(dataset: string, health: SourceHealth): Promise<void>;
  loadSourceHealth(dataset: string): Promise<SourceHealth[]>;
}

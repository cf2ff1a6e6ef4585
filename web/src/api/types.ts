// The JSON shapes of gapwarden's HTTP API as the dashboard reads them. They mirror
// src/engine/status-report.ts, src/sources/source.ts, src/store/store.ts and the
// routes under src/server/routes/; the dashboard talks to the API only, never to src/.

export type DatasetHealth = 'healthy' | 'degraded' | 'unhealthy';

/** A partition label: a number for sequence datasets, an ISO string for calendar datasets. */
export type PartitionLabel = number | string;

export interface SourceHealth {
  source: string;
  /** Circuit breaker state: closed = calls go through, open = skipped until retryAt, half-open = probing. */
  state: 'closed' | 'open' | 'half-open';
  consecutiveFailures: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastError: string | null;
  retryAt: number | null;
}

export interface DatasetStatus {
  name: string;
  kind: 'sequence' | 'calendar';
  status: DatasetHealth;
  reasons: string[];
  records: number;
  rejected: number;
  first: PartitionLabel | null;
  last: PartitionLabel | null;
  lastInsertAt: number | null;
  lastSource: string | null;
  freshnessSeconds: number | null;
  freshness: 'ok' | 'warn' | 'error' | 'unknown';
  coveragePercent: number;
  openGaps: number;
  missingPartitions: number;
  knownMissing: number;
  backfill: { pending: number; running: number; failed: number };
  sources: SourceHealth[];
}

export interface StatusReport {
  at: number;
  healthy: boolean;
  datasets: DatasetStatus[];
}

export interface Range {
  from: PartitionLabel;
  to: PartitionLabel;
  fromOrdinal: number;
  toOrdinal: number;
}

export interface DatasetDetail {
  dataset: DatasetStatus;
  coverage: { present: Range[]; knownMissing: Range[] };
}

export type BucketSize = 'hour' | 'day' | 'block';

export interface CompletenessBucket {
  start: PartitionLabel;
  end: PartitionLabel;
  label: string;
  expected: number;
  present: number;
  knownMissing: number;
  percent: number;
}

export interface Completeness {
  bucket: BucketSize;
  buckets: CompletenessBucket[];
}

export type GapBackfillState = 'queued' | 'running' | 'failed' | 'none';

export interface Gap extends Range {
  count: number;
  ageSeconds: number | null;
  backfill: GapBackfillState;
}

export interface RecordRow {
  key: string;
  partition: PartitionLabel;
  ordinal: number;
  source: string | null;
  insertedAt: number;
  updatedAt: number;
  payload: unknown;
}

export interface RecordsPage {
  records: RecordRow[];
  /** Pass as `before` to read older records; null on the last page. */
  next: number | null;
}

export interface BackfillRun {
  id: number;
  dataset: string;
  trigger: 'auto' | 'manual' | 'startup';
  fromOrdinal: number;
  toOrdinal: number;
  /** Partition labels of the range, when the API adds them. */
  from?: PartitionLabel;
  to?: PartitionLabel;
  requested: number;
  filled: number;
  failed: number;
  notFound: number;
  startedAt: number;
  finishedAt: number | null;
}

export interface BackfillRequest {
  from?: string;
  to?: string;
  dryRun?: boolean;
}

/** What a dry run would fetch: the open gaps inside the requested range. */
export interface BackfillPlan {
  partitions?: number;
  ordinals?: number[];
  ranges?: { from: PartitionLabel; to: PartitionLabel; count?: number }[];
  gaps?: { from: PartitionLabel; to: PartitionLabel; count?: number }[];
}

/**
 * Always the plan; `run` is the started run, or null for a dry run and when the range
 * has no open gaps (then nothing was started, dry run or not).
 */
export interface BackfillResponse {
  dryRun: boolean;
  plan: BackfillPlan;
  run: BackfillRun | null;
}

export type JobTrigger = 'schedule' | 'catch-up' | 'manual';

/** `running` until it ends; `skipped` never started (the previous run was still going). */
export type JobRunState = 'running' | 'ok' | 'failed' | 'timeout' | 'skipped' | 'cancelled';

/** One run of a job (src/scheduler/job-summary.ts): times as ISO 8601 UTC. */
export interface JobRun {
  /** Run ids grow over every job; pass the oldest shown as `before` to read older runs. */
  id: number;
  dueAt: string;
  trigger: JobTrigger;
  state: JobRunState;
  /** Above 1 when the run was retried or taken over from a process that died. */
  attempt: number;
  /** The process that holds (or held) the run's lease. */
  holder: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Start time minus due time; 0 for skipped runs. */
  lateMs: number;
  error: string | null;
  records: number | null;
  /** Why a run was skipped, or the parameters of a manual run. */
  detail: string | null;
}

/** A job as `GET /api/jobs` lists it. */
export interface JobSummary {
  id: string;
  kind: string;
  dataset: string | null;
  description: string | null;
  /** The schedule in words, e.g. "cron 0 2 * * * (Asia/Shanghai)" or "every 30s". */
  schedule: string;
  /** IANA zone of the schedule; `nextDueLocal` is in it. */
  timezone: string;
  paused: boolean;
  /** Runs in progress in the answering process. */
  running: number;
  /** ISO 8601 UTC; null when nothing is due (e.g. a schedule that has ended). */
  nextDueAt: string | null;
  /** The same instant with the job zone's offset, e.g. "2025-11-03T02:00:00+08:00". */
  nextDueLocal: string | null;
  lastRun: JobRun | null;
}

export interface JobRunsPage {
  job: string;
  runs: JobRun[];
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}

/**
 * The events of `GET /api/events` (Server-Sent Events), named as the server names them.
 * Mirrors the forwarded part of src/internal/events.ts.
 */
export interface LiveEventMap {
  'records:ingested': {
    dataset: string;
    source: string | null;
    inserted: number;
    updated: number;
    unchanged: number;
    rejected: number;
  };
  'gap:opened': { dataset: string; from: PartitionLabel; to: PartitionLabel; count: number };
  'gap:closed': { dataset: string; partition: PartitionLabel; by: 'backfill' | 'ingest' };
  'backfill:filled': { dataset: string; partition: PartitionLabel; source: string; ms: number };
  'backfill:not-found': { dataset: string; partition: PartitionLabel };
  'backfill:failed': { dataset: string; partition: PartitionLabel; attempts: number; error: string };
  'backfill:run-finished': {
    dataset: string;
    runId: number;
    filled: number;
    failed: number;
    notFound: number;
    ms: number;
  };
  'source:state': { dataset: string; source: string; state: SourceHealth['state']; error?: string };
  'job:started': { job: string; dueAt: number; trigger: JobTrigger; lateMs: number; attempt: number };
  'job:finished': {
    job: string;
    dueAt: number;
    trigger: JobTrigger;
    state: 'ok' | 'failed' | 'timeout' | 'cancelled';
    ms: number;
    lateMs: number;
  };
  'job:skipped': { job: string; dueAt: number; reason: 'overlap' };
}

export type LiveEventName = keyof LiveEventMap;

/** The events about a job run; every other event is about a dataset. */
export type JobEventName = 'job:started' | 'job:finished' | 'job:skipped';

/** One event from the stream, discriminated by `name`. */
export type LiveEvent = { [K in LiveEventName]: { name: K; data: LiveEventMap[K] } }[LiveEventName];

// The JSON shapes of gapwarden's HTTP API as the dashboard reads them. They mirror
// src/core/status-report.ts, src/domain/source-health.ts, src/store/store.ts, the
// routes under src/server/routes/ and the modules' routes (src/scheduler/job-routes.ts);
// the dashboard talks to the API only, never to src/.

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
  /** Whether the store can take writes, and if not, why. */
  store: { ok: boolean; reasons: string[] };
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

export type BucketSize = 'hour' | 'day' | 'week' | 'month' | 'year' | 'block';

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
  /** The bucket used: the finest asked for that fits the range in maxBuckets. */
  bucket: BucketSize;
  /** Partitions per block (sequences); null for calendars. */
  blockSize: number | null;
  /** The partitions the buckets span. */
  from: PartitionLabel | null;
  to: PartitionLabel | null;
  /** The dataset's whole expected range. */
  range: { from: PartitionLabel; to: PartitionLabel } | null;
  buckets: CompletenessBucket[];
}

export interface CompletenessQuery {
  bucket?: BucketSize | 'auto';
  from?: PartitionLabel | undefined;
  to?: PartitionLabel | undefined;
  maxBuckets?: number;
}

/** Records stored in one span of time, and how many of them backfill stored. */
export interface ActivityBucket {
  start: number;
  inserted: number;
  filled: number;
}

export interface Activity {
  dataset: string;
  /** Start of the first bucket and end of the range (exclusive), ms. */
  from: number;
  to: number;
  bucketMs: number;
  buckets: ActivityBucket[];
  totals: { inserted: number; filled: number };
}

export interface ActivityQuery {
  from?: number;
  to?: number;
  bucket?: string;
  maxBuckets?: number;
}

export type GapBackfillState = 'queued' | 'running' | 'failed' | 'none';

export interface Gap extends Range {
  count: number;
  /** When gapwarden found the gap (ms); null when that cannot be told. */
  detectedAt: number | null;
  /** Seconds since `detectedAt` (not since the partitions' own dates). */
  ageSeconds: number | null;
  /** Calendars: when the gap's first partition starts (ms); null for sequences. */
  partitionAt: number | null;
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
  /** The range as partitions (dates for calendars); null when the server no longer knows the dataset. */
  from: PartitionLabel | null;
  to: PartitionLabel | null;
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

/** A page a server module adds to the dashboard (see `GET /api/modules`). */
export interface DashboardPage {
  /** Its route, e.g. `/jobs` (shown as `#/jobs`). */
  path: string;
  title: string;
}

/** A module the server runs, as `GET /api/modules` lists it. */
export interface ModuleInfo {
  name: string;
  dashboard: DashboardPage | null;
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
  'gap:closed': {
    dataset: string;
    partition: PartitionLabel;
    by: 'backfill' | 'ingest';
    /** From when the server found the gap to this fill; null for a gap open before it started. */
    openForMs: number | null;
  };
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

/** An alert as `GET /api/alerts` shows it (the alerts module). */
export interface AlertSummary {
  id: number;
  rule: string;
  severity: 'P0' | 'P1' | 'P2';
  ruleSeverity: 'P0' | 'P1' | 'P2';
  state: 'pending' | 'firing' | 'acknowledged' | 'resolved';
  labels: Record<string, string>;
  summary: string;
  tried: string;
  value: number | null;
  occurrences: number;
  tier: number;
  startsAt: string;
  firedAt: string | null;
  lastSeenAt: string;
  endsAt: string | null;
  lastNotifiedAt: string | null;
  acknowledged: { at: string; by: string; comment: string | null } | null;
  suppressed: {
    by: 'silence' | 'inhibition';
    silenceId: number | null;
    alertId: number | null;
    until: string | null;
  } | null;
  url: string | null;
}

export interface AlertHistoryEntry {
  id: number;
  alertId: number;
  at: string;
  change: string;
  state: string;
  severity: 'P0' | 'P1' | 'P2';
  tier: number;
  rule: string;
  labels: Record<string, string>;
  detail: string | null;
  actor: string | null;
}

export interface AlertDelivery {
  id: number;
  receiver: string;
  kind: 'firing' | 'repeat' | 'escalated' | 'resolved' | 'test';
  state: 'pending' | 'sending' | 'delivered' | 'failed';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastError: string | null;
  lastStatus: number | null;
  log: {
    attempt: number;
    at: string;
    ms: number;
    ok: boolean;
    status: number | null;
    error: string | null;
    holder: string;
  }[];
}

export interface AlertDetail {
  alert: AlertSummary;
  history: AlertHistoryEntry[];
  deliveries: AlertDelivery[];
}

export interface AlertSilence {
  id: number;
  matchers: string[];
  startsAt: string;
  endsAt: string;
  expiredAt: string | null;
  author: string;
  comment: string;
  status: 'pending' | 'active' | 'ended';
}

/** `GET /api/alerts/summary`: the header badge. */
export interface AlertCounts {
  firing: { P0: number; P1: number; P2: number };
  acknowledged: number;
  outbox: { pending: number; sending: number; delivered: number; failed: number };
}

/** A check's run as `GET /api/checks/:name/runs` shows it (the checks module). */
export interface CheckRun {
  id: number;
  check: string;
  kind: string;
  /** quick, full, deep, or range (an explicit from/to). */
  profile: string;
  trigger: 'schedule' | 'manual' | 'api' | 'cli';
  status: 'healthy' | 'degraded' | 'unhealthy' | 'error';
  level: 'low' | 'medium' | 'high' | 'critical' | null;
  /** 0-100; null for an error run. */
  score: number | null;
  from: string;
  to: string;
  startedAt: string;
  durationMs: number;
  total: number;
  findings: number;
  delay: { p50Ms: number | null; p95Ms: number | null; maxMs: number | null; late: number } | null;
  sample: { key: string; fields: Record<string, unknown> }[];
  day: string;
  days: { day: string; score: number; total: number; findings: number }[];
  /** The database's message, for an error run. */
  error: string | null;
}

/** `GET /api/checks`: a check with its profiles, thresholds and last run. */
export interface CheckSummary {
  name: string;
  kind: string;
  description: string | null;
  target: { connection: string } | { dataset: string };
  timezone: string;
  thresholds: { healthy: number; degraded: number; low: number; medium: number; high: number };
  profiles: { name: string; windowMs: number; schedule: string | null }[];
  /** The repair kind, when the check has one. */
  repair: string | null;
  lastRun: CheckRun | null;
}

/** `GET /api/checks/:name/trend`: one local day with runs. */
export interface CheckTrendDay {
  day: string;
  runs: number;
  errors: number;
  avgScore: number | null;
  minScore: number | null;
  lastScore: number | null;
  lastFindings: number | null;
}

export interface RepairCounts {
  planned: number;
  repaired: number;
  unchanged: number;
  fixedMeanwhile: number;
  failed: number;
  batchesDone: number;
}

/** A repair run in the journal (`GET /api/repairs`); `id` is what a rollback names. */
export interface RepairRun extends RepairCounts {
  id: number;
  check: string;
  kind: 'sql' | 'http' | 'backfill' | 'function';
  status: 'running' | 'done' | 'failed';
  batchSize: number;
  max: number;
  keys: string[] | null;
  batches: number;
  actor: string;
  error: string | null;
  /** Epoch ms. */
  startedAt: number;
  finishedAt: number | null;
  rollbackStatus: 'running' | 'done' | 'failed' | null;
  rollbackAt: number | null;
  rollbackError: string | null;
}

/** What `POST /api/checks/:name/repair[/preview]` answers: a dry run lists `preview`. */
export interface RepairReport {
  check: string;
  kind: string;
  dryRun: boolean;
  status: 'dry-run' | 'nothing-to-do' | 'done' | 'failed';
  journalId: number | null;
  batchSize: number;
  planned: number;
  batches: number;
  deferred: number;
  notFindings: string[];
  counts: RepairCounts;
  error: string | null;
  preview: { key: string; batch: number; action: Record<string, unknown> }[];
}

/** `POST /api/repairs/:id/rollback`. */
export interface RollbackResult {
  journalId: number;
  check: string;
  undone: number;
  restoredRows: number;
  run: RepairRun;
}

/** The archive's object states (src/archive/store/archive-store.ts), in the order a day goes through them. */
export type ArchiveState =
  | 'uploading'
  | 'uploaded'
  | 'verified'
  | 'deleting'
  | 'deleted'
  | 'failed'
  | 'restored'
  | 'expired';

/** One dataset of `GET /api/archive`: storage used (from the manifests) and its retention settings. */
export interface ArchiveUsage {
  dataset: string;
  parts: number;
  records: number;
  /** gzip bytes in the object store. */
  bytes: number;
  /** JSON Lines bytes before compression. */
  rawBytes: number;
  byState: Partial<Record<ArchiveState, number>>;
  oldestDay: string | null;
  newestDay: string | null;
  /** Detail records older than this are archived and deleted; null: no retention configured. */
  retentionMs: number | null;
  /** Archive objects older than this expire; null: kept for ever. */
  keepArchivesMs: number | null;
}

export interface ArchiveOverview {
  /** Where objects go, e.g. `folder /srv/objects` or `s3 bucket/prefix`. */
  objectStore: string;
  datasets: ArchiveUsage[];
}

/** One archive object of one (dataset, UTC day); a day archived again (late records) has parts 1, 2, ... */
export interface ArchiveManifest {
  id: number;
  dataset: string;
  day: string;
  part: number;
  objectKey: string;
  state: ArchiveState;
  records: number;
  bytes: number;
  rawBytes: number;
  sha256: string;
  /** The partitions (ordinal ranges, inclusive) the object holds records of. */
  ordinals: Array<[number, number]>;
  deletedRecords: number;
  error: string | null;
  createdAt: number;
  updatedAt: number;
  verifiedAt: number | null;
  deletedAt: number | null;
  restoredAt: number | null;
  expiredAt: number | null;
}

/** One entry of the archive's audit trail (`GET /api/archive/events`). */
export interface ArchiveEvent {
  id: number;
  manifestId: number;
  dataset: string;
  day: string;
  at: number;
  /** uploaded, verified, verify-failed, deleted, restored, expired, ... */
  event: string;
  detail: string | null;
}

/** `POST /api/archive/run`: what one retention pass did to a dataset. */
export interface RetentionReport {
  dataset: string;
  throughDay: string | null;
  parts: Array<{ day: string; part: number; state: string; records: number; bytes: number }>;
  deletedRecords: number;
  expired: number;
  errors: string[];
}

/** `POST /api/archive/verify`: one object read back and compared with its manifest. */
export interface ArchiveVerifyReport {
  id: number;
  dataset: string;
  day: string;
  part: number;
  ok: boolean;
  problem: string | null;
  expected: { records: number; bytes: number; sha256: string };
  found: { records: number; bytes: number; sha256: string } | null;
  ms: number;
}

/** `POST /api/archive/restore`: a day's records put back into the store. */
export interface ArchiveRestoreReport {
  dataset: string;
  day: string;
  parts: number;
  records: number;
  inserted: number;
}

/** One batch report of a stream pipeline (src/streams/store/stream-store.ts). */
export interface StreamBatch {
  pipeline: string;
  batchId: string;
  windowEnd: number;
  status: 'complete' | 'timed-out';
  openedAt: number;
  closedAt: number;
  expectedKeys: string[];
  /** Expected keys whose modules gave a result (keys present without results are not counted). */
  reportedKeys: number;
  /** Expected keys whose window did not arrive before the batch was handed over. */
  missingKeys: string[];
  missingTopics: string[];
  availabilityRatio: number;
}

/** One topic of a pipeline: its checkpoint (shared by every process) and lag. */
export interface StreamTopic {
  topic: string;
  global: boolean;
  /** Acknowledged since the pipeline first ran. */
  acked: number;
  deadLetters: number;
  /** Messages waiting on the server (null: not known yet). */
  lag: number | null;
  /** When the position was last committed. */
  committedAt: number | null;
}

/** `GET /api/streams`: one pipeline (src/streams/stream-summary.ts). */
export interface StreamPipeline {
  name: string;
  engine: string;
  client: string;
  group: string;
  /** Whether the server's process runs it (null: it does not run pipelines). */
  running: boolean | null;
  lastError: string | null;
  topics: StreamTopic[];
  /** Messages per second over the last five minutes. */
  throughput: number;
  availability: { last: number | null; minLastHour: number | null };
  batchesLastHour: number;
  timedOutLastHour: number;
  lastBatch: StreamBatch | null;
}

/** `GET /api/streams/activity`: one minute of one pipeline. */
export interface StreamMinute {
  pipeline: string;
  minute: number;
  messages: number;
  deadLetters: number;
  batches: number;
  availability: number | null;
}

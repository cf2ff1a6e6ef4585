import type { ConflictMode } from '../domain/conflict-mode.js';
import type { PartitionHorizon } from '../domain/partition-horizon.js';
import type { Partitioning } from '../domain/partitioning.js';
import type { Schedule } from '../domain/schedule/schedule.js';
import type { LogLevel } from '../internal/logger.js';
import type { SecretValues } from '../internal/redactor.js';
import type { CompiledAlerts } from './compiled-alerts.js';
import type { CompiledArchive } from './compiled-archive.js';
import type { CompiledChecks } from './compiled-checks.js';
import type { CompiledRollup } from './compiled-rollups.js';
import type { CompiledStreams } from './compiled-streams.js';
import type { SourceConfig } from './config-schema.js';
import type { JobFunction } from './job-function.js';
import type { JobKind } from './jobs-schema.js';

/** Backfill settings of one dataset, every default applied. */
export interface CompiledBackfill {
  enabled: boolean;
  concurrency: number;
  ratePerSecond: number;
  burst: number;
  maxAttempts: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Partitions of the dataset in the queue (pending or running) at most; larger gaps are queued as it drains. */
  maxQueued: number;
  leaseMs: number;
  /** Partitions per `byRange` request at most; 1: by key only. */
  rangeSize: number;
}

export interface CompiledDataset {
  name: string;
  description: string | undefined;
  partitioning: Partitioning;
  /** How far ahead a record's partition may be; undefined: unlimited (`horizon: false`). */
  horizon: PartitionHorizon | undefined;
  onConflict: ConflictMode;
  sources: SourceConfig[];
  /** `source`: the one source the collect job calls (no failover); undefined: all, in order. */
  collect: { schedule: string; timezone: string; source: string | undefined } | undefined;
  freshness: { warnMs: number | undefined; errorMs: number | undefined };
  backfill: CompiledBackfill;
  breaker: { failureThreshold: number; cooldownMs: number };
}

/** HTTP API settings, every default applied. */
export interface CompiledServer {
  enabled: boolean;
  host: string;
  port: number;
  /** Never logged or printed. */
  token: string | undefined;
  protectReads: boolean;
  bodyLimitBytes: number;
  /** Host names (lower case, port-less) requests may name besides IPs, localhost and `host`; '*' allows any. */
  allowedHosts: readonly string[] | '*';
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export type { CompiledReceiver } from './compiled-receiver.js';
export type { JobKind } from './jobs-schema.js';

/** One scheduled job, every default applied and its schedule compiled. */
export interface CompiledJob {
  id: string;
  kind: JobKind;
  dataset: string | undefined;
  /** `collect`: the one source of the dataset it calls, without failover; undefined: all, in order. */
  source: string | undefined;
  description: string | undefined;
  schedule: Schedule;
  /** The schedule as configured, for people (`jobs`, the dashboard). */
  scheduleText: string;
  /** The zone people read this job's times in: its first rule's zone. */
  timezone: string;
  catchUp: { policy: 'skip' | 'once' | 'all'; max: number };
  overlap: 'skip' | 'queue';
  timeoutMs: number;
  retries: { attempts: number; initialMs: number; maxMs: number };
  /** Paused from config (the stored flag, once set by `jobs pause/resume`, wins). */
  paused: boolean;
  run: JobFunction | undefined;
  /** A `run-check` job: the check and profile it runs. */
  check?: { name: string; profile: string };
}

/** Scheduler settings, every default applied. */
export interface CompiledScheduler {
  leaseMs: number;
  historyRetentionMs: number;
  keepRuns: number;
  shutdownGraceMs: number;
}

/** Where the store lives, every default applied. */
export type CompiledStore =
  | {
      kind: 'sqlite';
      /** Absolute path, or ':memory:'. */
      path: string;
      /** `full`: each commit synced before it is acknowledged; `normal`: synced at checkpoints. */
      durability: 'full' | 'normal';
    }
  | {
      kind: 'postgres';
      /** Never logged or printed: it may carry a password (see `describeStore`). */
      url: string;
      schema: string | undefined;
      poolSize: number;
    };

/** The fully-resolved configuration: nothing downstream re-checks defaults. */
export interface CompiledConfig {
  /** Absolute path of the file it came from, if any. */
  file: string | undefined;
  store: CompiledStore;
  log: { level: LogLevel };
  server: CompiledServer;
  datasets: CompiledDataset[];
  jobs: CompiledJob[];
  scheduler: CompiledScheduler;
  alerts: CompiledAlerts;
  /** Connections to the team's databases and the checks on them. */
  checks: CompiledChecks;
  /** Stream clients and pipelines (docs/streams.md); empty without a `streams:` section. */
  streams: CompiledStreams;
  /** Rollups, every default applied (docs/rollups.md). */
  rollups: CompiledRollup[];
  /** Retention per dataset and the object store archives go to. */
  archive: CompiledArchive;
  /**
   * Every value taken from an environment reference (see `configSecrets`):
   * masked as `***` in logs, stored error text, API answers and CLI output.
   * Serialises as a count only.
   */
  secrets: SecretValues;
}

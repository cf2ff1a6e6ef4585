import type { Partitioning } from '../domain/partitioning.js';
import type { LogLevel } from '../internal/logger.js';
import type { JobFunction } from '../scheduler/job-work.js';
import type { Schedule } from '../scheduler/schedule.js';
import type { ConflictMode } from '../store/store.js';
import type { SourceConfig } from './config-schema.js';

/** Backfill settings of one dataset, every default applied. */
export interface CompiledBackfill {
  enabled: boolean;
  concurrency: number;
  ratePerSecond: number;
  burst: number;
  maxAttempts: number;
  retryInitialMs: number;
  retryMaxMs: number;
  maxPartitionsPerGap: number;
  leaseMs: number;
}

export interface CompiledDataset {
  name: string;
  description: string | undefined;
  partitioning: Partitioning;
  onConflict: ConflictMode;
  sources: SourceConfig[];
  collect: { schedule: string; timezone: string } | undefined;
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
}

export type JobKind = 'collect' | 'check' | 'backfill' | 'reconcile' | 'function';

/** One scheduled job, every default applied and its schedule compiled. */
export interface CompiledJob {
  id: string;
  kind: JobKind;
  dataset: string | undefined;
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
  | { kind: 'sqlite' /** Absolute path, or ':memory:'. */; path: string }
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
}

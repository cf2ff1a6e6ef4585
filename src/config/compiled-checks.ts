import type { Schedule } from '../domain/schedule/schedule.js';
import type { CheckProfile } from './checks-schema.js';
import type { CompiledCheckRepair } from './compile-check-repairs.js';

/** The databases a check connection reaches. */
export type ConnectionDialect = 'postgres' | 'mysql' | 'sqlite';

/** A connection to a team's database, every default applied. */
export interface CompiledConnection {
  name: string;
  dialect: ConnectionDialect;
  /**
   * The URL (postgres, mysql) or absolute file path (sqlite). A URL may carry a
   * password: never logged or printed (see `describeConnectionTarget`).
   */
  target: string;
  writable: boolean;
  queryTimeoutMs: number;
  poolSize: number;
}

/** Score thresholds (percent): health and level, every default applied. */
export interface CompiledScoreScale {
  /** healthy ≥ this; degraded ≥ `degraded`; unhealthy below. */
  healthy: number;
  degraded: number;
  /** low ≥ this; medium ≥ `medium`; high ≥ `high`; critical below. */
  low: number;
  medium: number;
  high: number;
}

/** One profile of a check: the window a run looks back over and when it runs. */
export interface CompiledCheckProfile {
  name: CheckProfile;
  windowMs: number;
  /** Undefined: on demand only. */
  schedule: Schedule | undefined;
  scheduleText: string | undefined;
}

/** A table or query side of a consistency check, read through the check's connection. */
export interface CompiledSqlSide {
  kind: 'sql';
  /** What the SQL selects from: a table name, or `(query)`. */
  table: string | undefined;
  query: string | undefined;
  key: string;
  time: string;
  where: string | undefined;
}

/**
 * A gapwarden dataset as one side of a consistency check, read from the
 * store: `key` and `time` name payload fields, or `$partition` (the record's
 * partition value; as time, the instant a calendar partition starts) and
 * `$ingestedAt` (time only: when gapwarden stored the record).
 */
export interface CompiledDatasetSide {
  kind: 'dataset';
  dataset: string;
  key: string;
  time: string;
  /** Payload fields and the values they must hold (any of the list); empty: every record. */
  match: Readonly<Record<string, readonly (string | number | boolean | null)[]>>;
}

export type CompiledCheckSide = CompiledSqlSide | CompiledDatasetSide;

interface CompiledCheckBase {
  name: string;
  description: string | undefined;
  timezone: string;
  scale: CompiledScoreScale;
  profiles: CompiledCheckProfile[];
  /** Findings kept with a run at most. */
  sample: number;
  /** An absolute folder each run is appended to as a JSON line (`<check>/<local day>.jsonl`); undefined: none. */
  resultsDir: string | undefined;
  /** What a repair of its findings does; undefined: the check has no repair. */
  repair: CompiledCheckRepair | undefined;
}

export interface CompiledConsistencyCheck extends CompiledCheckBase {
  kind: 'consistency';
  /** Undefined when both sides are datasets. */
  connection: string | undefined;
  parents: CompiledCheckSide;
  children: CompiledCheckSide;
  timeFormat: 'timestamp' | 'epoch-ms';
  lateAfterMs: number;
}

export interface CompiledSqlCheck extends CompiledCheckBase {
  kind: 'sql';
  connection: string;
  query: string;
  returns: 'findings' | 'score';
  key: string;
  total: string | undefined;
}

export interface CompiledVolumeCheck extends CompiledCheckBase {
  kind: 'volume';
  connection: string;
  table: string | undefined;
  query: string | undefined;
  time: string;
  where: string | undefined;
  timeFormat: 'timestamp' | 'epoch-ms';
  bucketMs: number;
  expect: {
    min: number | undefined;
    max: number | undefined;
    trailing: number | undefined;
    tolerance: number;
  };
}

export interface CompiledDatasetCheck extends CompiledCheckBase {
  kind: 'freshness' | 'gaps';
  dataset: string;
}

export type CompiledCheck =
  | CompiledConsistencyCheck
  | CompiledSqlCheck
  | CompiledVolumeCheck
  | CompiledDatasetCheck;

/** Connections and checks, every default applied. */
export interface CompiledChecks {
  connections: CompiledConnection[];
  checks: CompiledCheck[];
}

/** The job kind that runs a check's profile on the scheduler. */
export const CHECK_JOB_KIND = 'run-check';

/** The id of the job that runs a check's profile: `check:<name>:<profile>`. */
export const checkJobId = (check: string, profile: string) => `check:${check}:${profile}`;

import { z } from 'zod';
import { scheduleSpecSchema } from '../domain/schedule/schedule-spec.js';
import { checkRepairSchema } from './check-repairs-schema.js';

const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration such as "30s", "15m", "24h" or "14d"'),
]);

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/i;
const NAME_MESSAGE = 'a name of letters, digits, _ or - (starting with a letter or digit, at most 63)';
/** A column or table name used in generated SQL: plain identifiers only (optionally schema-qualified). */
/** A column or table name safe to place in generated SQL. */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const identifier = z
  .string()
  .regex(SQL_IDENTIFIER, 'a plain identifier (letters, digits and _, optionally schema.table)');

/**
 * A named connection to a team's own database: exactly one of `postgres`
 * (URL), `mysql` (URL, MySQL or MariaDB) or `sqlite` (file path). Read-only
 * unless `writable: true`. Reference credentials from the environment
 * (`${env:APP_DB_URL}`); they are never logged.
 */
export const connectionSchema = z
  .object({
    postgres: z.string().min(1).optional(),
    mysql: z.string().min(1).optional(),
    sqlite: z.string().min(1).optional(),
    /** Allows repairs that write through this connection. @default false */
    writable: z.boolean().optional(),
    /** A query running longer than this is cancelled and its run recorded as `error`. @default '60s' */
    queryTimeout: duration.optional(),
    /** Connections kept open at most (PostgreSQL and MySQL). @default 4 */
    poolSize: z.number().int().positive().max(64).optional(),
  })
  .strict();

const matchValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/**
 * One side of a consistency check: a table or a query of the check's
 * connection, or a gapwarden dataset read from gapwarden's store (exactly one
 * of `table`, `query`, `dataset`).
 */
const sideSchema = z
  .object({
    /** A table (or view). */
    table: identifier.optional(),
    /** A SELECT whose rows are this side (used as a subquery). */
    query: z.string().min(1).optional(),
    /** A gapwarden dataset (under `datasets`). */
    dataset: z.string().min(1).optional(),
    /**
     * The column (a dataset: the payload field, or `$partition` for the
     * record's partition value) joining parents to children.
     */
    key: z.string().min(1),
    /**
     * The column holding each row's time (a timestamp, or epoch milliseconds
     * with `timeFormat: 'epoch-ms'`). A dataset: a payload field (ISO 8601
     * text or epoch milliseconds), `$partition` (the instant a calendar
     * partition starts) or `$ingestedAt` (when gapwarden stored the record).
     */
    time: z.string().min(1),
    /**
     * A table or query: a SQL predicate on its rows, e.g. `status = 'SUCCESS'`.
     * A dataset: payload fields and the value each must hold (or any of a
     * list), e.g. `{ status: SUCCESS }`.
     */
    where: z
      .union([
        z.string().min(1),
        z.record(z.string().min(1), z.union([matchValue, z.array(matchValue).min(1)])),
      ])
      .optional(),
  })
  .strict();

const thresholdsSchema = z
  .object({
    /** Score at or above which a run is healthy. @default 95 */
    healthy: z.number().min(0).max(100).optional(),
    /** Score at or above which a run is degraded (below: unhealthy). @default 80 */
    degraded: z.number().min(0).max(100).optional(),
  })
  .strict();

const levelsSchema = z
  .object({
    /** @default 95 */
    low: z.number().min(0).max(100).optional(),
    /** @default 80 */
    medium: z.number().min(0).max(100).optional(),
    /** @default 50 (below: critical) */
    high: z.number().min(0).max(100).optional(),
  })
  .strict();

const profileSchema = z
  .object({
    /** How far back from the run's time the window reaches. */
    window: duration.optional(),
    /** When the profile runs; `false` keeps it for on-demand runs only. */
    schedule: z.union([scheduleSpecSchema, z.literal(false)]).optional(),
  })
  .strict();

export const CHECK_PROFILES = ['quick', 'full', 'deep'] as const;
export type CheckProfile = (typeof CHECK_PROFILES)[number];

const commonCheckFields = {
  description: z.string().optional(),
  /** The IANA time zone of the profiles' default schedules and of the per-day trend. @default 'UTC' */
  timezone: z.string().optional(),
  /** Score thresholds of the health. */
  health: thresholdsSchema.optional(),
  /** Score thresholds of the level. */
  levels: levelsSchema.optional(),
  /** Windows and schedules of the `quick`, `full` and `deep` profiles. */
  profiles: z
    .object({
      quick: profileSchema.optional(),
      full: profileSchema.optional(),
      deep: profileSchema.optional(),
    })
    .strict()
    .optional(),
  /** Findings kept with each run at most. @default 50 */
  sample: z.number().int().min(0).max(10_000).optional(),
  /**
   * A folder that gets every run of the check as one JSON line, one file per
   * local day: `<folder>/<check>/<YYYY-MM-DD>.jsonl` (relative to the config's
   * folder). @default none: runs are kept in the store only
   */
  resultsDir: z.string().min(1).optional(),
  /** What a repair of this check's findings does (docs/checks.md, "Repairs"). */
  repair: checkRepairSchema.optional(),
};

const consistencyCheckSchema = z
  .object({
    kind: z.literal('consistency'),
    /** The connection (under `connections`) the table and query sides are read from; not needed when both sides are datasets. */
    connection: z.string().optional(),
    parents: sideSchema,
    children: sideSchema,
    /** How the time columns are stored. @default 'timestamp' */
    timeFormat: z.enum(['timestamp', 'epoch-ms']).optional(),
    /** A child later than this after its parent counts as late. @default '5m' */
    lateAfter: duration.optional(),
    ...commonCheckFields,
  })
  .strict();

const sqlCheckSchema = z
  .object({
    kind: z.literal('sql'),
    connection: z.string(),
    /**
     * A SELECT: each row it returns is a finding (the `key` column names it), or,
     * with `returns: 'score'`, one row with a `score` column (0–100). `:from` and
     * `:to` are the window's bounds.
     */
    query: z.string().min(1),
    /** @default 'findings' */
    returns: z.enum(['findings', 'score']).optional(),
    /** With `returns: 'findings'`: the column naming each finding. @default 'key' */
    key: z.string().optional(),
    /** With `returns: 'findings'`: rows that count as the whole (score = 100 - findings/total). */
    total: z.string().min(1).optional(),
    ...commonCheckFields,
  })
  .strict();

const volumeCheckSchema = z
  .object({
    kind: z.literal('volume'),
    connection: z.string(),
    table: identifier.optional(),
    query: z.string().min(1).optional(),
    time: identifier,
    where: z.string().min(1).optional(),
    timeFormat: z.enum(['timestamp', 'epoch-ms']).optional(),
    /** Bucket size. @default '1h' */
    bucket: duration.optional(),
    /** Expected rows per bucket: a fixed range, or within ±`tolerance`% of the trailing average. */
    expect: z
      .object({
        min: z.number().int().nonnegative().optional(),
        max: z.number().int().nonnegative().optional(),
        /** Compare with the average of this many preceding buckets. */
        trailing: z.number().int().positive().max(1000).optional(),
        /** @default 50 */
        tolerance: z.number().positive().max(1000).optional(),
      })
      .strict(),
    ...commonCheckFields,
  })
  .strict();

const datasetCheckSchema = z
  .object({
    kind: z.enum(['freshness', 'gaps']),
    /** The gapwarden dataset checked. */
    dataset: z.string(),
    ...commonCheckFields,
  })
  .strict();

export const checkSchema = z.discriminatedUnion('kind', [
  consistencyCheckSchema,
  sqlCheckSchema,
  volumeCheckSchema,
  datasetCheckSchema,
]);

export const connectionsSchema = z.record(z.string().regex(NAME, NAME_MESSAGE), connectionSchema);
export const checksSchema = z.record(z.string().regex(NAME, NAME_MESSAGE), checkSchema);

export type ConnectionConfig = z.input<typeof connectionSchema>;
export type CheckConfig = z.input<typeof checkSchema>;
export type ConsistencyCheckConfig = z.input<typeof consistencyCheckSchema>;
export type ConsistencySideConfig = z.input<typeof sideSchema>;
export type SqlCheckConfig = z.input<typeof sqlCheckSchema>;
export type VolumeCheckConfig = z.input<typeof volumeCheckSchema>;
export type DatasetCheckConfig = z.input<typeof datasetCheckSchema>;

import { z } from 'zod';
import { isStorableName, STORABLE_NAME_MESSAGE } from '../domain/storable-text.js';
import { httpSourceSchema } from '../sources/http/http-source-schema.js';
import type { RawRecord } from '../sources/source.js';
import { alertsSchema } from './alerts-schema.js';
import { archiveSchema } from './archive-schema.js';
import { checksSchema, connectionsSchema } from './checks-schema.js';
import { jobIdSchema, jobSchema, schedulerSchema } from './jobs-schema.js';
import { rollupsSchema } from './rollups-schema.js';
import { streamsSchema } from './streams-schema.js';

const duration = z.union([
  z.number().nonnegative(),
  z
    .string()
    .regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, { message: 'a duration such as "30s", "5m", "2h" or "1d"' }),
]);

const fn = <T>(what: string) =>
  z.custom<T>((v) => typeof v === 'function', { message: `expected ${what} (a function; TS config only)` });

const sequenceSchema = z
  .object({
    /** First period number; gaps before the first stored record are only known when this is set. */
    start: z.number().int().optional(),
    /** @default 1 */
    step: z.number().int().positive().optional(),
    /**
     * How many partitions ahead of the newest stored one (or of `start`, before the first) a
     * record may be; one further ahead is rejected with a reason. `false` turns the check off.
     * @default 50000
     */
    horizon: z.union([z.number().int().positive(), z.literal(false)]).optional(),
  })
  .strict();

const calendarSchema = z
  .object({
    every: z.string().optional(),
    at: z.string().optional(),
    cron: z.string().optional(),
    /** @default 'UTC' */
    timezone: z.string().optional(),
    start: z.string().optional(),
    /**
     * How far ahead of now a record's partition may start; one starting later is rejected
     * with a reason. `false` turns the check off.
     * @default '2d'
     */
    horizon: z.union([duration, z.literal(false)]).optional(),
    exclude: z
      .object({
        weekdays: z.array(z.number().int().min(0).max(6)).optional(),
        dates: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

// One object with two optional keys (not a union), so an error inside either names its exact field.
const partitionSchema = z
  .object({ sequence: sequenceSchema.optional(), calendar: calendarSchema.optional() })
  .strict()
  .refine((p) => (p.sequence === undefined) !== (p.calendar === undefined), {
    message: 'set exactly one of `sequence` or `calendar`',
  });

const functionSourceSchema = z
  .object({
    name: z.string().min(1).refine(isStorableName, STORABLE_NAME_MESSAGE),
    type: z.literal('function'),
    latest: fn<(signal: AbortSignal) => Promise<RawRecord[]> | RawRecord[]>('latest()').optional(),
    byKey:
      fn<(vars: Record<string, string>, signal: AbortSignal) => Promise<RawRecord[] | null>>(
        'byKey()',
      ).optional(),
    /** The records of the partitions from `from` to `to` (their template variables), both included. */
    byRange:
      fn<
        (
          from: Record<string, string>,
          to: Record<string, string>,
          signal: AbortSignal,
        ) => Promise<RawRecord[]> | RawRecord[]
      >('byRange()').optional(),
  })
  .strict();

const sourceSchema = z.discriminatedUnion('type', [httpSourceSchema, functionSourceSchema]);

const datasetSchema = z
  .object({
    description: z.string().optional(),
    partition: partitionSchema,
    /** What a record with a known key does: keep the stored payload, or replace it when it differs. @default 'ignore' */
    onConflict: z.enum(['ignore', 'update']).optional(),
    sources: z.array(sourceSchema).optional(),
    collect: z
      .object({
        /** Cron expression (5 or 6 fields; 6 = with seconds). */
        schedule: z.string(),
        /** @default the calendar's time zone, else 'UTC' */
        timezone: z.string().optional(),
        /**
         * The one source (by name) the `collect:<dataset>` job calls, alone: no failover
         * to the others. @default every source, in order, with failover
         */
        source: z.string().optional(),
      })
      .strict()
      .optional(),
    freshness: z
      .object({ warnAfter: duration.optional(), errorAfter: duration.optional() })
      .strict()
      .optional(),
    backfill: z
      .object({
        /** @default true */
        enabled: z.boolean().optional(),
        /** Requests at once for this dataset. @default 4 */
        concurrency: z.number().int().positive().max(64).optional(),
        /** Requests per second to the source (token bucket). @default 20 */
        ratePerSecond: z.number().positive().optional(),
        /** Bucket size. @default ratePerSecond */
        burst: z.number().int().positive().optional(),
        /** Attempts before a partition is marked failed. @default 5 */
        maxAttempts: z.number().int().positive().max(100).optional(),
        /** @default '1s' */
        retryInitial: duration.optional(),
        /** @default '5m' */
        retryMax: duration.optional(),
        /**
         * How long a claimed partition stays with one worker. A process that dies
         * mid-request leaves its partitions to others after this; keep it above the
         * worst-case request time (timeout x attempts). @default '60s'
         */
        lease: duration.optional(),
        /**
         * Partitions of this dataset waiting in the backfill queue at most. A larger gap is
         * queued in pieces: the rest is queued as the queue drains. @default 10000
         */
        maxQueued: z.number().int().positive().optional(),
        /** @deprecated the former name of `maxQueued`, still accepted. */
        maxPartitionsPerGap: z.number().int().positive().optional(),
        /**
         * Partitions asked for in one `byRange` request at most, when the source has
         * `byRange`; `1` fetches partition by partition (`byKey`). @default 100
         */
        rangeSize: z.number().int().positive().max(10_000).optional(),
      })
      .strict()
      .optional(),
    breaker: z
      .object({
        /** Consecutive failures that open a source's circuit. @default 3 */
        failureThreshold: z.number().int().positive().optional(),
        /** How long an open source is skipped before one trial call. @default '30s' */
        cooldown: duration.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const configSchema = z
  .object({
    // Either sqlite or postgres (checked in compileConfig, which never echoes a URL: it may hold a password).
    store: z
      .object({
        /** Path of the SQLite file, relative to the config file. @default 'gapwarden.db' (when `postgres` is not set) */
        sqlite: z.string().min(1).optional(),
        /** PostgreSQL URL, e.g. '${env:DATABASE_URL}'; a secret, logged as host:port/database only. */
        postgres: z.string().min(1).optional(),
        /** PostgreSQL schema for gapwarden's tables (created on start). @default the server's search_path */
        schema: z.string().optional(),
        /** PostgreSQL connections at most. @default 10 */
        poolSize: z.number().int().positive().max(200).optional(),
        /**
         * SQLite only. `full`: every write gapwarden acknowledged survives a power cut (each commit is
         * synced to disk); `normal`: faster, loses nothing when the process crashes, but a power cut may
         * lose the last acknowledged writes. PostgreSQL's durability is the server's `synchronous_commit`.
         * @default 'full'
         */
        durability: z.enum(['full', 'normal']).optional(),
      })
      .strict()
      .optional(),
    server: z
      .object({
        /** Address the HTTP API, metrics and dashboard listen on. @default '127.0.0.1' */
        host: z.string().min(1).optional(),
        /** TCP port; 0 picks a free one. @default 7070 */
        port: z.number().int().min(0).max(65535).optional(),
        /** Bearer token guarding every call that changes state; reference it from the environment. */
        token: z.string().min(16, 'a token of at least 16 characters').optional(),
        /** Also require the token for read-only calls. @default false */
        protectReads: z.boolean().optional(),
        /** Largest request body accepted, e.g. '10mb'. @default '10mb' */
        bodyLimit: z
          .string()
          .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, 'a size such as 512kb or 10mb')
          .optional(),
        /** Serve the HTTP API at all (`serve` and `demo`). @default true */
        enabled: z.boolean().optional(),
        /**
         * Host names (the `Host` header, port ignored) the API answers; others get 403, so
         * a page using DNS rebinding cannot read it. IP addresses, `localhost` and
         * `server.host` are always allowed; `.example.com` allows its subdomains; '*' allows any.
         * @default []
         */
        allowedHosts: z.union([z.literal('*'), z.array(z.string().min(1))]).optional(),
        /** Longest time to receive a whole request (headers and body). @default '30s' */
        requestTimeout: duration.optional(),
        /** Longest time to receive a request's headers. @default '10s' */
        headersTimeout: duration.optional(),
        /** How long an idle keep-alive connection stays open. @default '5s' */
        keepAliveTimeout: duration.optional(),
        /** Open connections at most; more are closed at once. @default 1000 */
        maxConnections: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    log: z
      .object({ level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional() })
      .strict()
      .optional(),
    datasets: z.record(
      z
        .string()
        .regex(
          /^[a-z0-9][a-z0-9_-]{0,62}$/i,
          'a name of letters, digits, _ or - (starting with a letter or digit, at most 63)',
        ),
      datasetSchema,
    ),
    /** Scheduled jobs by id; each dataset with `collect` also gets a `collect:<dataset>` job. */
    jobs: z.record(jobIdSchema, jobSchema).optional(),
    scheduler: schedulerSchema.optional(),
    /** Alert rules, receivers, routing, grouping, escalation and delivery (docs/alerts.md). */
    alerts: alertsSchema.optional(),
    /** Named connections to the team's own databases, read-only unless `writable` (docs/checks.md). */
    connections: connectionsSchema.optional(),
    /** Checks by name: consistency, freshness, gaps, volume, sql (docs/checks.md). */
    checks: checksSchema.optional(),
    /** Stream clients and pipelines: at-least-once consumption, windows, modules, batches (docs/streams.md). */
    streams: streamsSchema.optional(),
    /** Rollups by name: counts, sums, unique values and quantiles per dimension and time bucket (docs/rollups.md). */
    rollups: rollupsSchema.optional(),
    /** Retention per dataset and the archive it writes to (docs/archive.md). */
    archive: archiveSchema.optional(),
  })
  .strict();

/** The configuration as written in `gapwarden.config.ts` or YAML. */
export type GapwardenConfig = z.input<typeof configSchema>;
export type DatasetConfig = z.input<typeof datasetSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type FunctionSourceConfig = z.output<typeof functionSourceSchema>;

import { z } from 'zod';
import { isStorableName, STORABLE_NAME_MESSAGE } from '../domain/storable-text.js';

const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration such as "10s", "5m", "24h" or "7d"'),
]);

const field = z.string().min(1, 'a payload field name, e.g. "path" or "latency_ms"');

/** One measure of a rollup, named by its key in `measures`. */
const measureSchema = z.discriminatedUnion('kind', [
  /** Records in the bucket (exact). */
  z.object({ kind: z.literal('count') }).strict(),
  /** Sum, minimum or maximum of a numeric payload field (exact); records without a number there are skipped. */
  z.object({ kind: z.enum(['sum', 'min', 'max']), field }).strict(),
  z
    .object({
      kind: z.literal('unique'),
      field,
      /** HyperLogLog precision: 2^p registers, error ~1.04/sqrt(2^p). @default 14 (~0.81%) */
      precision: z.number().int().min(4).max(18).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('quantiles'),
      field,
      /** t-digest compression: higher is more accurate and larger. @default 200 */
      compression: z.number().min(20).max(5000).optional(),
    })
    .strict(),
]);

/** Versioned top-N snapshots of one rollup. */
const topSchema = z
  .object({
    /** The measure ranked by: a count, sum, min, max or unique measure, or `<quantiles measure>.p95`-style. */
    by: z.string().min(1),
    /** Entries kept per snapshot. @default 10 */
    n: z.number().int().positive().max(10_000).optional(),
    /** The range ranked: the buckets of the last `window`. @default '24h' */
    window: duration.optional(),
    /** A new snapshot after this many applied ingest batches... @default 10 */
    everyIngests: z.number().int().positive().optional(),
    /** ...or this long after the previous one, whichever comes first. @default '60s' */
    every: duration.optional(),
    /** Snapshots kept; older versions are deleted. @default 5 */
    keep: z.number().int().positive().max(1000).optional(),
  })
  .strict();

/**
 * A rollup (docs/rollups.md): records of a dataset counted per dimension
 * values and time bucket, fed only by records actually inserted.
 */
export const rollupSchema = z
  .object({
    dataset: z.string().min(1),
    /** Payload fields that split the counts, e.g. ['path', 'method']. @default [] (one series) */
    dimensions: z.array(field).max(8).optional(),
    /** The bucket width. */
    bucket: z.enum(['minute', 'hour', 'day']),
    /** The IANA time zone buckets are aligned to (day buckets start at local midnight). @default 'UTC' */
    timezone: z.string().min(1).optional(),
    /**
     * The payload field holding the event time (epoch milliseconds or an ISO
     * 8601 string). @default the record's partition (calendar datasets)
     */
    timeField: field.optional(),
    /** Named measures, e.g. { requests: { kind: 'count' }, clients: { kind: 'unique', field: 'client' } }. */
    measures: z.record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'letters, digits, "_" and "-"'),
      measureSchema,
    ),
    top: topSchema.optional(),
  })
  .strict();

/** Rollups by name. */
export const rollupsSchema = z.record(z.string().refine(isStorableName, STORABLE_NAME_MESSAGE), rollupSchema);

export type RollupConfig = z.infer<typeof rollupSchema>;
export type RollupsConfig = z.infer<typeof rollupsSchema>;
export type MeasureConfig = z.infer<typeof measureSchema>;

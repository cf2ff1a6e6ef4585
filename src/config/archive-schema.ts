import { z } from 'zod';

const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration such as "36h", "7d" or "730d"'),
]);

/** A folder on this machine (the default): `{ folder: 'archive' }`, relative to the config file. */
const folderStoreSchema = z
  .object({
    /** Folder the objects are written under; created when missing. @default 'archive' */
    folder: z.string().min(1),
  })
  .strict();

/** An S3-compatible bucket (AWS, MinIO, R2, s3rver). */
const s3StoreSchema = z
  .object({
    s3: z
      .object({
        bucket: z.string().min(3),
        /** Prepended to every object key, e.g. 'gapwarden/'. @default '' */
        prefix: z.string().optional(),
        /** @default 'us-east-1' */
        region: z.string().min(1).optional(),
        /** An S3-compatible server's URL, e.g. 'http://127.0.0.1:9000'. @default AWS */
        endpoint: z.string().url().optional(),
        /** Bucket in the path, not the host name. @default true when `endpoint` is set */
        forcePathStyle: z.boolean().optional(),
        /** Reference it from the environment ('${env:S3_KEY}'). @default the SDK's credential chain */
        accessKeyId: z.string().min(1).optional(),
        /** Reference it from the environment; never logged. */
        secretAccessKey: z.string().min(1).optional(),
      })
      .strict(),
  })
  .strict();

/** Lifecycle of one dataset's detail records. */
const datasetLifecycleSchema = z
  .object({
    /** Detail records of days older than this are archived, verified, then deleted from the store. */
    retention: duration,
    /** Archives older than this (by their day) are deleted from the object store, recorded. @default kept forever */
    keepArchives: duration.optional(),
    /** Records deleted per transaction once an archive is verified. @default 5000 */
    deleteBatch: z.number().int().positive().max(100_000).optional(),
    /** How long records brought back by `archive restore` stay before retention archives them again. @default '1d' */
    restoreHold: duration.optional(),
  })
  .strict();

/**
 * Retention and the archive (docs/archive.md): per dataset, detail records
 * older than `retention` are written per (dataset, UTC day) as gzip JSON
 * Lines objects, verified by reading them back, and only then deleted.
 */
export const archiveSchema = z
  .object({
    /** Where objects go. @default { folder: 'archive' } */
    store: z.union([folderStoreSchema, s3StoreSchema]).optional(),
    /** Per dataset (by name): its retention. Datasets not listed keep every record. */
    datasets: z.record(z.string(), datasetLifecycleSchema).optional(),
  })
  .strict();

export type ArchiveConfig = z.input<typeof archiveSchema>;

import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { GapwardenError } from '../../../internal/errors.js';
import { assertObjectKey, type ObjectStore, objectNotFound } from '../object-store.js';

export interface S3ObjectStoreOptions {
  bucket: string;
  /** Prepended to every key (`archive/` style, with its slash). @default '' */
  prefix: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, s3rver, R2...); undefined: AWS. */
  endpoint: string | undefined;
  /** Bucket in the path rather than the host name (most S3-compatible servers want it). */
  forcePathStyle: boolean;
  /** Static credentials; undefined: the SDK's default chain (environment, profile, instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Bytes per multipart part. @default 8 MiB */
  partSize?: number;
}

const status = (err: unknown) =>
  (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
const isNotFound = (err: unknown) =>
  err instanceof NoSuchKey || err instanceof NotFound || status(err) === 404;

/**
 * Objects in an S3-compatible bucket. Puts go through lib-storage's `Upload`
 * (multipart above one part), so an object only becomes visible once whole.
 * Network failures and 5xx answers are reported as STORE_UNAVAILABLE
 * (retryable); the archive retries on its next run.
 */
export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const { bucket, prefix } = options;
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Checksums on every request: s3rver and older servers reject the newer trailing-checksum default.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const description = `s3://${bucket}/${prefix}`;
  const full = (key: string) => {
    assertObjectKey(key);
    return `${prefix}${key}`;
  };
  const failed = (what: string, key: string, err: unknown) => {
    const s = status(err);
    const unavailable = s === undefined || s >= 500;
    return new GapwardenError(
      unavailable ? 'STORE_UNAVAILABLE' : 'STORE_FAILED',
      `${what} ${JSON.stringify(key)} in ${description} failed: ${(err as Error)?.message ?? String(err)}`,
      { cause: err, retryable: unavailable, details: { key, status: s } },
    );
  };

  return {
    description,
    async put(key, body, opts = {}) {
      const Key = full(key);
      try {
        const upload = new Upload({
          client,
          params: {
            Bucket: bucket,
            Key,
            Body: body instanceof Uint8Array ? body : Readable.from(body),
            ContentType: opts.contentType ?? 'application/octet-stream',
          },
          partSize: options.partSize ?? 8 * 1024 * 1024,
          queueSize: 2,
        });
        await upload.done();
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key }));
        return { key, bytes: Number(head.ContentLength ?? 0) };
      } catch (err) {
        throw failed('writing object', key, err);
      }
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: full(key) }));
        return out.Body as Readable;
      } catch (err) {
        if (isNotFound(err)) throw objectNotFound(description, key);
        throw failed('reading object', key, err);
      }
    },
    async head(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: full(key) }));
        return { key, bytes: Number(out.ContentLength ?? 0) };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw failed('reading object', key, err);
      }
    },
    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: full(key) }));
      } catch (err) {
        if (isNotFound(err)) return;
        throw failed('deleting object', key, err);
      }
    },
    async *list(keyPrefix) {
      let token: string | undefined;
      do {
        let page: import('@aws-sdk/client-s3').ListObjectsV2CommandOutput;
        try {
          page = await client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: `${prefix}${keyPrefix}`,
              ...(token ? { ContinuationToken: token } : {}),
            }),
          );
        } catch (err) {
          throw failed('listing objects under', keyPrefix, err);
        }
        for (const o of page.Contents ?? []) {
          if (o.Key === undefined) continue;
          yield { key: o.Key.slice(prefix.length), bytes: Number(o.Size ?? 0) };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
    async close() {
      client.destroy();
    },
  };
}

import type { Readable } from 'node:stream';
import { GapwardenError } from '../../internal/errors.js';

/** One stored object: its key and its size in bytes. */
export interface ObjectInfo {
  key: string;
  bytes: number;
}

/**
 * Where archive objects live: a folder by default, an S3-compatible bucket at
 * scale. Small on purpose: the archive only writes whole objects, reads them
 * back as streams, lists and deletes them. Adapters (`folder/`, `s3/`) pass one
 * contract suite (`test/archive-object-store.test.ts`).
 *
 * A `put` is atomic: a reader sees the previous object or the whole new one,
 * never a part (the folder adapter renames a finished temporary file; S3 makes
 * an object visible only once its upload completes).
 */
export interface ObjectStore {
  /** Where objects go, for people: `folder /var/lib/gapwarden/archive` or `s3://bucket/prefix` (never credentials). */
  readonly description: string;
  /** Writes the object under `key` whole, replacing any object there. Returns its size. */
  put(key: string, body: Readable | Uint8Array, options?: { contentType?: string }): Promise<ObjectInfo>;
  /** The object's bytes as a stream; NOT_FOUND when there is none. */
  get(key: string): Promise<Readable>;
  /** The object's size, or undefined when there is none. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Deletes the object; deleting an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** Objects whose keys start with `prefix`, in key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Releases connections. */
  close(): Promise<void>;
}

const KEY = /^[A-Za-z0-9][A-Za-z0-9._=-]*(\/[A-Za-z0-9][A-Za-z0-9._=-]*)*$/;

/**
 * Refuses keys that could escape a folder or mean different things to
 * different stores: segments of letters, digits, `.`, `_`, `=`, `-` joined by
 * `/`, each starting with a letter or digit (so no `..`, no leading `/`).
 */
export function assertObjectKey(key: string): void {
  if (key.length === 0 || key.length > 900 || !KEY.test(key)) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `object key ${JSON.stringify(key)} is not allowed: use segments of letters, digits, ".", "_", "=" or "-", joined by "/"`,
    );
  }
}

/** The error an adapter throws for a key with no object. */
export function objectNotFound(store: ObjectStore | string, key: string): GapwardenError {
  const where = typeof store === 'string' ? store : store.description;
  return new GapwardenError('NOT_FOUND', `no object ${JSON.stringify(key)} in ${where}`, {
    details: { key },
  });
}

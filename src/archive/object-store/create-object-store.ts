import type { CompiledObjectStore } from '../../config/compiled-archive.js';
import { createFolderObjectStore } from './folder/folder-object-store.js';
import { lazyObjectStore } from './lazy-object-store.js';
import type { ObjectStore } from './object-store.js';

/** The object store the config names: a folder, or an S3-compatible bucket (its SDK loaded on first use). */
export function createObjectStore(config: CompiledObjectStore): ObjectStore {
  if (config.kind === 'folder') return createFolderObjectStore({ path: config.path });
  return lazyObjectStore(`s3://${config.bucket}/${config.prefix}`, async () => {
    const { createS3ObjectStore } = await import('./s3/s3-object-store.js');
    return createS3ObjectStore({
      bucket: config.bucket,
      prefix: config.prefix,
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials,
    });
  });
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { freePort } from './free-port.js';

/** A real S3-compatible server (s3rver) on a free 127.0.0.1 port, with one bucket, its files in a temp folder. */
export interface TestS3Server {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the bucket's objects on disk (to damage one in a test). */
  directory: string;
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'gapwarden-archive'): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'gapwarden-s3rver-'));
  const port = await freePort();
  const server = new S3rver({
    port,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    directory,
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** s3rver accepts any credentials; the SDK wants some. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

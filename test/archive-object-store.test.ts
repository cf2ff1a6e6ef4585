// The ObjectStore contract, on the folder adapter and on the S3 adapter against a real
// S3-compatible server (s3rver) started on a free port by the test.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createFolderObjectStore } from '../src/archive/object-store/folder/folder-object-store.js';
import type { ObjectStore } from '../src/archive/object-store/object-store.js';
import { createS3ObjectStore } from '../src/archive/object-store/s3/s3-object-store.js';
import { hasCode } from '../src/internal/errors.js';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from './helpers/s3-server.js';
import { tempDir } from './helpers/temp-dir.js';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const collect = async (it: AsyncIterable<{ key: string; bytes: number }>) => {
  const out: { key: string; bytes: number }[] = [];
  for await (const x of it) out.push(x);
  return out;
};

interface Adapter {
  name: string;
  open(): Promise<{ objects: ObjectStore; cleanup(): Promise<void> }>;
}

const ADAPTERS: Adapter[] = [
  {
    name: 'folder',
    async open() {
      const t = tempDir('gapwarden-objects-');
      return { objects: createFolderObjectStore({ path: t.dir }), cleanup: async () => t.cleanup() };
    },
  },
  {
    name: 's3 (s3rver)',
    async open() {
      const server: TestS3Server = await startS3Server();
      const objects = createS3ObjectStore({
        bucket: server.bucket,
        prefix: 'gw/',
        region: 'us-east-1',
        endpoint: server.endpoint,
        forcePathStyle: true,
        credentials: S3RVER_CREDENTIALS,
        partSize: 5 * 1024 * 1024,
      });
      return {
        objects,
        async cleanup() {
          await objects.close();
          await server.close();
        },
      };
    },
  },
];

for (const adapter of ADAPTERS) {
  describe(`object store contract: ${adapter.name}`, () => {
    let objects: ObjectStore;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ objects, cleanup } = await adapter.open());
    });
    after(async () => cleanup());

    it('puts bytes and reads the very same bytes back, with their size', async () => {
      const body = randomBytes(100_000);
      const info = await objects.put('ds/2026/11/2026-11-01/part-0001.jsonl.gz', body);
      assert.equal(info.bytes, body.length);
      assert.deepEqual(await objects.head('ds/2026/11/2026-11-01/part-0001.jsonl.gz'), {
        key: 'ds/2026/11/2026-11-01/part-0001.jsonl.gz',
        bytes: body.length,
      });
      const back = await readAll(await objects.get('ds/2026/11/2026-11-01/part-0001.jsonl.gz'));
      assert.ok(back.equals(body));
    });

    it('streams a large body (multipart on S3) and replaces an existing object whole', async () => {
      const big = randomBytes(12 * 1024 * 1024);
      const chunks = function* () {
        for (let i = 0; i < big.length; i += 1 << 20) yield big.subarray(i, i + (1 << 20));
      };
      const info = await objects.put('big/object', Readable.from(chunks()));
      assert.equal(info.bytes, big.length);
      assert.ok((await readAll(await objects.get('big/object'))).equals(big));
      await objects.put('big/object', Buffer.from('small now'));
      assert.equal((await readAll(await objects.get('big/object'))).toString(), 'small now');
    });

    it('lists by prefix in key order, and deletes (twice is fine)', async () => {
      await objects.put('list/b/2', Buffer.from('bb'));
      await objects.put('list/a/1', Buffer.from('a'));
      await objects.put('list/a/3', Buffer.from('ccc'));
      await objects.put('listing-other', Buffer.from('x'));
      assert.deepEqual(await collect(objects.list('list/')), [
        { key: 'list/a/1', bytes: 1 },
        { key: 'list/a/3', bytes: 3 },
        { key: 'list/b/2', bytes: 2 },
      ]);
      assert.deepEqual(
        (await collect(objects.list('list/a'))).map((o) => o.key),
        ['list/a/1', 'list/a/3'],
      );
      await objects.delete('list/a/1');
      await objects.delete('list/a/1');
      assert.equal(await objects.head('list/a/1'), undefined);
      assert.deepEqual(
        (await collect(objects.list('list/'))).map((o) => o.key),
        ['list/a/3', 'list/b/2'],
      );
    });

    it('answers NOT_FOUND for a missing object and refuses keys that could escape', async () => {
      await assert.rejects(objects.get('nope/none'), (err) => hasCode(err, 'NOT_FOUND'));
      assert.equal(await objects.head('nope/none'), undefined);
      for (const bad of ['../etc/passwd', '/abs', 'a//b', 'a/../b', '']) {
        await assert.rejects(
          objects.put(bad, Buffer.from('x')),
          (err) => hasCode(err, 'REQUEST_INVALID'),
          bad,
        );
      }
    });
  });
}

describe('object store: S3 server down', () => {
  it('reports STORE_UNAVAILABLE (retryable), naming the bucket, never the credentials', async () => {
    const objects = createS3ObjectStore({
      bucket: 'gone',
      prefix: '',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'very-secret-key-value' },
    });
    try {
      await assert.rejects(objects.head('x'), (err) => {
        assert.ok(hasCode(err, 'STORE_UNAVAILABLE'));
        assert.equal(err.retryable, true);
        assert.match(err.message, /s3:\/\/gone\//);
        assert.doesNotMatch(err.message, /very-secret-key-value/);
        return true;
      });
    } finally {
      await objects.close();
    }
  });
});

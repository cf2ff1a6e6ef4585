// Retention and the archive end to end, on every store adapter and on both object stores
// (a folder, and a real S3-compatible server, s3rver, started on a free port): days past the
// retention are archived, read back and verified, then deleted in batches; coverage keeps them
// present (no gap opens, also after a restart); a damaged object fails verification and nothing
// is deleted; restore puts back byte-equal payloads; archived records read back as a stream.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Archive } from '../src/archive/archive-runtime.js';
import type { ArchiveManifest } from '../src/archive/store/archive-store.js';
import type { Engine } from '../src/engine/engine.js';
import { createManualClock, type ManualClock } from '../src/internal/clock.js';
import type { Store, StoredRecord } from '../src/store/store.js';
import {
  archiveEngine,
  archiveTestConfig,
  DAY,
  FIRST,
  gatewayEvents,
  NOW,
  type TestObjectStore,
} from './helpers/archive-setup.js';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from './helpers/s3-server.js';
import { STORE_ADAPTERS } from './helpers/store-adapters.js';
import { tempDir } from './helpers/temp-dir.js';

let s3: TestS3Server | undefined;
before(async () => {
  s3 = await startS3Server();
});
after(async () => s3?.close());

const OBJECT_STORES = ['folder', 's3'] as const;

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const strip = (r: StoredRecord) => ({
  key: r.key,
  ordinal: r.ordinal,
  payload: r.payload,
  source: r.source,
  ingestedAt: r.ingestedAt,
  updatedAt: r.updatedAt,
});

for (const adapter of STORE_ADAPTERS) {
  for (const kind of OBJECT_STORES) {
    describe(`archive lifecycle: ${adapter.name} store, ${kind} objects`, { skip: adapter.skip }, () => {
      let locator: string;
      let tmp: ReturnType<typeof tempDir>;
      let objects: TestObjectStore;
      let clock: ManualClock;
      let stores: Store[];
      let engines: Engine[];

      const open = async (options: Parameters<typeof archiveEngine>[3] = {}, lifecycle = {}) => {
        const store = await adapter.open(locator);
        stores.push(store);
        const { engine, archive } = archiveEngine(
          store,
          archiveTestConfig(objects, lifecycle),
          clock,
          options,
        );
        engines.push(engine);
        await engine.open();
        return { engine, store, archive };
      };
      /** Every record of a day still in the store. */
      const dayRecords = (store: Store, engine: Engine, day: number) => {
        const p = engine.config.datasets[0]!.partitioning;
        const from = p.toOrdinal(new Date(day).toISOString()) as number;
        return store.recordsBetween('events', from, from + 23);
      };
      /** The raw bytes of a part's object, through the adapter's own storage. */
      const damage = async (a: Archive, m: ArchiveManifest, how: 'truncate' | 'flip') => {
        const chunks: Buffer[] = [];
        for await (const c of await a.objects.get(m.objectKey)) chunks.push(c as Buffer);
        const bytes = Buffer.concat(chunks);
        let damaged: Buffer;
        if (how === 'truncate') damaged = bytes.subarray(0, Math.floor(bytes.length / 2));
        else {
          damaged = Buffer.from(bytes);
          const i = Math.floor(bytes.length / 2);
          damaged[i] = damaged[i]! ^ 0xff;
        }
        if (kind === 'folder')
          writeFileSync(join((objects as { folder: string }).folder, ...m.objectKey.split('/')), damaged);
        else await a.objects.put(m.objectKey, damaged);
      };

      beforeEach(async () => {
        locator = await adapter.createDatabase();
        tmp = tempDir('gapwarden-archive-');
        objects =
          kind === 'folder'
            ? { folder: join(tmp.dir, 'objects') }
            : {
                s3: {
                  bucket: s3!.bucket,
                  endpoint: s3!.endpoint,
                  prefix: `${randomBytes(4).toString('hex')}/`,
                  ...S3RVER_CREDENTIALS,
                },
              };
        clock = createManualClock(NOW);
        stores = [];
        engines = [];
      });
      afterEach(async () => {
        for (const e of engines) await e.stop().catch(() => {});
        await adapter.dropDatabase(locator);
        tmp.cleanup();
      });

      it('archives days past the retention, verified before deletion; no gap opens, even after a restart', async () => {
        const { engine, store, archive } = await open();
        const events = gatewayEvents(NOW);
        await engine.ingest('events', events);
        const before10 = (await dayRecords(store, engine, FIRST)).map(strip);
        assert.equal(before10.length, 72);
        assert.deepEqual(await engine.gaps('events'), []);

        const [report] = await archive.archiver.run();
        assert.equal(report!.throughDay, '2026-11-12');
        assert.deepEqual(report!.errors, []);
        assert.deepEqual(
          report!.parts.map((p) => [p.day, p.part, p.state, p.records]),
          [
            ['2026-11-10', 1, 'deleted', 72],
            ['2026-11-11', 1, 'deleted', 72],
            ['2026-11-12', 1, 'deleted', 72],
          ],
        );
        assert.equal(report!.deletedRecords, 216);
        // Detail of those days left the store; the days after stay.
        assert.equal((await dayRecords(store, engine, FIRST)).length, 0);
        assert.equal((await dayRecords(store, engine, FIRST + 2 * DAY)).length, 0);
        assert.equal((await dayRecords(store, engine, FIRST + 3 * DAY)).length, 72);
        assert.equal((await store.stats('events')).records, events.length - 216);

        // The object is gzip JSON Lines holding the stored payloads as they were.
        const [m] = await archive.store.listManifests({ dataset: 'events', day: '2026-11-10' });
        assert.equal(m!.state, 'deleted');
        assert.equal(m!.deletedRecords, 72);
        assert.match(m!.sha256, /^[0-9a-f]{64}$/);
        assert.ok(m!.rawBytes > m!.bytes, 'compressed');
        const chunks: Buffer[] = [];
        for await (const c of await archive.objects.get(m!.objectKey)) chunks.push(c as Buffer);
        const lines = gunzipSync(Buffer.concat(chunks))
          .toString('utf8')
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l));
        assert.equal(lines.length, 72);
        assert.deepEqual(lines.map((l) => l.payload).sort(), before10.map((r) => r.payload).sort());
        const events10 = await archive.store.listEvents({ dataset: 'events', manifestId: m!.id, limit: 10 });
        assert.deepEqual(events10.map((e) => e.event).reverse(), ['uploaded', 'verified', 'deleted']);

        // No gap in this process, nor in a new one that rebuilds coverage from the store.
        assert.deepEqual(await engine.gaps('events'), []);
        await engine.stop();
        const again = await open();
        assert.deepEqual(await again.engine.gaps('events'), [], 'archived partitions count as present');

        // A second run finds nothing more to do.
        const [second] = await again.archive.archiver.run();
        assert.deepEqual(second!.parts, []);
      });

      it('restores byte-equal payloads, reads archived records back as a stream, and archives again after the hold', async () => {
        const { engine, store, archive } = await open();
        await engine.ingest('events', gatewayEvents(NOW));
        const original = (await dayRecords(store, engine, FIRST + DAY)).map(strip).sort(byKey);
        await archive.archiver.run();

        const read: { key: string; payload: string }[] = [];
        for await (const batch of archive.archiver.read('events', '2026-11-10', '2026-11-12', 50))
          read.push(...batch);
        assert.equal(read.length, 216);
        assert.equal(new Set(read.map((r) => r.key)).size, 216, 'each record once');

        const restored = await archive.archiver.restore('events', '2026-11-11');
        assert.deepEqual(restored, {
          dataset: 'events',
          day: '2026-11-11',
          parts: 1,
          records: 72,
          inserted: 72,
        });
        const back = (await dayRecords(store, engine, FIRST + DAY)).map(strip).sort(byKey);
        assert.deepEqual(back, original, 'keys, payload text, source and times as stored before');
        assert.equal((await dayRecords(store, engine, FIRST)).length, 0, 'only the day asked for');

        // Held for a day: retention leaves the restored records alone...
        clock.advance(DAY / 2);
        await archive.archiver.run();
        assert.equal((await dayRecords(store, engine, FIRST + DAY)).length, 72);
        // ...then verifies the same object again and deletes them again, without a second object.
        clock.advance(DAY);
        const [report] = await archive.archiver.run();
        assert.deepEqual(report!.errors, []);
        assert.equal((await dayRecords(store, engine, FIRST + DAY)).length, 0);
        const parts = await archive.store.listManifests({ dataset: 'events', day: '2026-11-11' });
        assert.deepEqual(
          parts.map((p) => [p.part, p.state]),
          [[1, 'deleted']],
        );
        assert.deepEqual(await engine.gaps('events'), []);
      });

      it('a truncated or corrupted object fails verification and nothing is deleted; the next run writes it again', async () => {
        let damageNext: 'truncate' | 'flip' | undefined;
        let self: Archive | undefined;
        const { engine, store, archive } = await open({
          onStep: async (step, m) => {
            if (step !== 'uploaded' || !damageNext || !self) return;
            await damage(self, m, m.day === '2026-11-10' ? 'truncate' : 'flip');
          },
        });
        self = archive;
        await engine.ingest('events', gatewayEvents(NOW));
        const stored = (await store.stats('events')).records;
        damageNext = 'truncate';
        const [report] = await archive.archiver.run();
        assert.deepEqual(
          report!.parts.map((p) => [p.day, p.state]),
          [
            ['2026-11-10', 'failed'],
            ['2026-11-11', 'failed'],
            ['2026-11-12', 'failed'],
          ],
        );
        assert.equal(report!.errors.length, 3);
        assert.equal((await store.stats('events')).records, stored, 'not one record deleted');
        const [failed] = await archive.store.listManifests({ dataset: 'events', day: '2026-11-10' });
        assert.match(
          failed!.error ?? '',
          /could not be read whole|ends inside a line|bytes where the manifest says/,
        );
        const verify = await archive.archiver.verify('events');
        assert.ok(verify.every((v) => !v.ok));
        // Nothing was marked archived: a purge-free restart still sees the records as the only coverage.
        assert.equal((await engine.gaps('events')).length, 0);

        damageNext = undefined;
        const [retry] = await archive.archiver.run();
        assert.deepEqual(retry!.errors, []);
        assert.deepEqual(
          retry!.parts.map((p) => [p.day, p.part, p.state, p.records]),
          [
            ['2026-11-10', 1, 'deleted', 72],
            ['2026-11-11', 1, 'deleted', 72],
            ['2026-11-12', 1, 'deleted', 72],
          ],
        );
        assert.equal((await store.stats('events')).records, stored - 216);
        assert.ok((await archive.archiver.verify('events')).every((v) => v.ok));
        const trail = (await archive.store.listEvents({ dataset: 'events', limit: 100 })).map((e) => e.event);
        assert.equal(trail.filter((e) => e === 'verify-failed').length, 3);
      });

      it('a late record for an archived day goes into a second part; old archives expire, recorded', async () => {
        const { engine, store, archive } = await open({}, { keepArchives: '12d' });
        await engine.ingest('events', gatewayEvents(NOW));
        await archive.archiver.run();
        await engine.ingest('events', [
          { key: 'late-1', partition: '2026-11-10T05:00:00.000Z', payload: { late: true } },
        ]);
        const [report] = await archive.archiver.run();
        assert.deepEqual(
          report!.parts.map((p) => [p.day, p.part, p.state, p.records]),
          [['2026-11-10', 2, 'deleted', 1]],
        );
        const read: { key: string }[] = [];
        for await (const b of archive.archiver.read('events', '2026-11-10', '2026-11-10')) read.push(...b);
        assert.equal(read.length, 73);
        assert.equal(read.at(-1)!.key, 'late-1');

        // 2026-11-10 is older than 12 days on 2026-11-23: its objects go, the manifests stay as the record.
        clock.set(NOW + 3 * DAY);
        const [later] = await archive.archiver.run();
        assert.equal(later!.expired, 2);
        const parts = await archive.store.listManifests({ dataset: 'events', day: '2026-11-10' });
        assert.deepEqual(
          parts.map((p) => p.state),
          ['expired', 'expired'],
        );
        assert.equal(await archive.objects.head(parts[0]!.objectKey), undefined);
        assert.deepEqual(
          await engine.gaps('events'),
          [],
          'an expired archive was collected: no gap to backfill',
        );
        const usage = await archive.usage();
        assert.equal(usage[0]!.byState.expired, 2);
        assert.ok(readFileSync !== undefined);
        assert.equal((await store.stats('events')).records > 0, true);
      });
    });
  }
}

// The archive crash suite: kill -9 in the middle of a retention pass (a real child process), then a new process runs
// again: it resumes from the manifest states, and no record is lost or duplicated — the store
// holds none of the archived days, the objects hold each record exactly once, and a restore
// brings every payload back byte for byte. Run on SQLite with a folder and on PostgreSQL with
// an S3-compatible server (s3rver) started by the test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { createManualClock } from '../../src/internal/clock.js';
import type { StoredRecord } from '../../src/store/store.js';
import {
  archiveEngine,
  archiveTestConfig,
  DAY,
  FIRST,
  gatewayEvents,
  NOW,
  type TestObjectStore,
} from './archive-setup.js';
import { S3RVER_CREDENTIALS, startS3Server, type TestS3Server } from './s3-server.js';
import { STORE_ADAPTERS } from './store-adapters.js';
import { tempDir } from './temp-dir.js';

const CHILD = join(import.meta.dirname, 'archive-crash-child.ts');

/** Runs the child until it prints PAUSED, then kills it with SIGKILL; resolves with what it printed. */
function runAndKill(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child never paused: ${out} ${err}`));
    }, 60_000);
    child.stdout.on('data', (d) => {
      out += String(d);
      if (out.includes('PAUSED')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL' && out.includes('PAUSED')) resolve(out.trim());
      else reject(new Error(`the child ended without pausing (${signal ?? _code}): ${out} ${err}`));
    });
  });
}

/** Between upload and verification; after verification, before the first delete; after one batch of deletes. */
const STEPS = ['uploaded', 'verified', 'deleting', 'deleted-batch'] as const;

/**
 * Defines the crash suite for one store with one kind of object store (s3: an s3rver started
 * for the suite). One test file per pair, so each gets its own time budget.
 */
export function defineArchiveCrashSuite(storeName: 'sqlite' | 'postgres', kind: 'folder' | 's3'): void {
  const adapter = STORE_ADAPTERS.find((a) => a.name === storeName)!;
  let s3: TestS3Server | undefined;
  describe(`archive crash recovery: ${adapter.name} store, ${kind} objects`, { skip: adapter.skip }, () => {
    before(async () => {
      if (kind === 's3') s3 = await startS3Server();
    });
    after(async () => s3?.close());
    let locator: string;
    let tmp: ReturnType<typeof tempDir>;
    let objects: TestObjectStore;
    beforeEach(async () => {
      locator = await adapter.createDatabase();
      tmp = tempDir('gapwarden-archive-crash-');
      objects =
        kind === 'folder'
          ? { folder: join(tmp.dir, 'objects') }
          : {
              s3: {
                bucket: s3!.bucket,
                endpoint: s3!.endpoint,
                prefix: `${tmp.dir.split('-').at(-1)}/`,
                ...S3RVER_CREDENTIALS,
              },
            };
    });
    afterEach(async () => {
      await adapter.dropDatabase(locator);
      tmp.cleanup();
    });

    for (const stopAt of STEPS) {
      it(`killed -9 at "${stopAt}", a new process resumes: nothing lost, nothing duplicated`, async () => {
        const clock = createManualClock(NOW);
        const config = archiveTestConfig(objects);
        // Ingest in this process, then close it: the child runs alone.
        {
          const store = await adapter.open(locator);
          const { engine } = archiveEngine(store, config, clock);
          await engine.open();
          await engine.ingest('events', gatewayEvents(NOW));
          await engine.stop();
        }
        const store = await adapter.open(locator);
        const { engine, archive } = archiveEngine(store, config, clock);
        await engine.open();
        try {
          const p = config.datasets[0]!.partitioning;
          const first = p.toOrdinal(new Date(FIRST).toISOString()) as number;
          const lastArchived = first + 3 * 24 - 1;
          const original = await store.recordsBetween('events', first, lastArchived);
          assert.equal(original.length, 216);

          const said = await runAndKill([
            adapter.name,
            locator,
            JSON.stringify(objects),
            stopAt,
            String(NOW),
          ]);
          assert.match(said, new RegExp(`PAUSED ${stopAt} 2026-11-10`));
          const [m] = await archive.store.listManifests({ dataset: 'events', day: '2026-11-10' });
          const expectedState = {
            uploaded: 'uploaded',
            verified: 'verified',
            deleting: 'deleting',
            'deleted-batch': 'deleting',
          }[stopAt];
          assert.equal(m!.state, expectedState, 'the kill left the part mid-way');
          if (stopAt === 'deleted-batch') {
            assert.equal(m!.deletedRecords, 7, 'one batch of 7 deleted before the kill');
            assert.equal((await store.recordsBetween('events', first, first + 23)).length, 65);
          } else assert.equal((await store.recordsBetween('events', first, first + 23)).length, 72);

          // The next run (this process) resumes and finishes.
          const [report] = await archive.archiver.run();
          assert.deepEqual(report!.errors, []);
          const parts = await archive.store.listManifests({ dataset: 'events' });
          assert.deepEqual(
            parts.map((x) => [x.day, x.part, x.state, x.records, x.deletedRecords]).sort(),
            [
              ['2026-11-10', 1, 'deleted', 72, 72],
              ['2026-11-11', 1, 'deleted', 72, 72],
              ['2026-11-12', 1, 'deleted', 72, 72],
            ],
            'one part per day, every record deleted once',
          );
          assert.equal((await store.recordsBetween('events', first, lastArchived)).length, 0);

          // The objects hold each record exactly once.
          const read: { key: string }[] = [];
          for await (const b of archive.archiver.read('events', '2026-11-10', '2026-11-12')) read.push(...b);
          assert.equal(read.length, 216);
          assert.deepEqual(read.map((r) => r.key).sort(), original.map((r) => r.key).sort());
          assert.deepEqual(await engine.gaps('events'), []);

          // And a restore brings back the very payloads.
          for (const day of ['2026-11-10', '2026-11-11', '2026-11-12'])
            await archive.archiver.restore('events', day);
          const back = await store.recordsBetween('events', first, lastArchived);
          const text = (rs: StoredRecord[]) => rs.map((r) => `${r.key}\u0000${r.payload}`).sort();
          assert.deepEqual(text(back), text(original));
          assert.equal(back.length, 216);
          void DAY;
        } finally {
          await engine.stop();
        }
      });
    }
  });
}

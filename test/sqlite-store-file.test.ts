// The SQLite store notices what a query cannot tell: its file deleted or moved
// while open (writes refused, /ready 503, status unhealthy, one error log; all
// well again once the file is back), and a file it may not write (the error
// names the file and says what to do). A real engine and HTTP app on a real
// file; the file is moved away and back with rename, as `rm` would take it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Hono } from 'hono';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { GapwardenError } from '../src/internal/errors.js';
import type { Logger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { openSqliteDatabase } from '../src/store/sqlite/sqlite-connection.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { describeSqliteFileProblem, sqliteMarkerPath } from '../src/store/sqlite/sqlite-store-file.js';
import { tempDir } from './helpers/temp-dir.js';

const TOKEN = 'file-test-token-0123456789';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

function recordingLogger(lines: Record<string, unknown>[]): Logger {
  const log = (o: Record<string, unknown>) => lines.push(o);
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

/** Whether `chattr +i` works here: it makes a file unwritable even for root. */
const immutableSkip = (() => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'probe');
  try {
    execFileSync('sh', ['-c', `touch ${file} && chattr +i ${file} && chattr -i ${file}`], {
      stdio: 'ignore',
    });
    return undefined;
  } catch {
    return 'chattr +i is not available here (needs root and a file system with the immutable flag)';
  } finally {
    tmp.cleanup();
  }
})();

describe('a SQLite store whose file is deleted or moved while serving', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let engine: Engine;
  let app: Hono;
  let logs: Record<string, unknown>[];

  beforeEach(async () => {
    tmp = tempDir();
    file = join(tmp.dir, 'store.db');
    logs = [];
    const config = compileConfig(
      {
        store: { sqlite: file },
        server: { token: TOKEN },
        datasets: { draws: { partition: { sequence: { start: 1 } } } },
      },
      { env: {} },
    );
    engine = createEngine({ config, logger: recordingLogger(logs) });
    await engine.start({ collect: false, backfill: false });
    app = createApp({ engine, server: config.server, version: '0.0.0-test' });
  });
  afterEach(async () => {
    await engine.stop();
    tmp.cleanup();
  });

  const push = (periods: number[]) =>
    app.request('/api/datasets/draws/records', {
      method: 'POST',
      headers,
      body: JSON.stringify(periods.map((p) => ({ key: String(p), partition: p, payload: { p } }))),
    });

  it('refuses pushes, answers /ready 503 and reports the store unhealthy until the file is back', async () => {
    assert.equal((await push([1, 2, 3])).status, 200);
    // What `rm store.db*` does to a running process, but reversible: the path no longer names the file.
    const aside = join(tmp.dir, 'aside');
    mkdirSync(aside);
    const parts = ['store.db', 'store.db-wal', 'store.db-shm'].filter((f) => existsSync(join(tmp.dir, f)));
    for (const f of parts) renameSync(join(tmp.dir, f), join(aside, f));

    const refused = await push([4, 5, 6]);
    assert.equal(refused.status, 503, 'a push into a deleted store file must not be acknowledged');
    const body = (await refused.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'STORE_UNAVAILABLE');
    assert.ok(body.error.message.includes(file), body.error.message);
    assert.match(body.error.message, /deleted or moved/);
    assert.match(body.error.message, /--create-store/);

    const ready = await app.request('/ready');
    assert.equal(ready.status, 503);
    const readiness = (await ready.json()) as { ready: boolean; store: boolean; reasons: string[] };
    assert.equal(readiness.store, false);
    assert.ok(
      readiness.reasons.some((r) => r.includes(file)),
      `a reason names the file: ${readiness.reasons}`,
    );

    const status = (await (await app.request('/api/datasets')).json()) as {
      healthy: boolean;
      store: { ok: boolean; reasons: string[] };
      datasets: { records: number }[];
    };
    assert.equal(status.healthy, false);
    assert.equal(status.store.ok, false);
    assert.equal(status.datasets[0]?.records, 3, 'reads still answer from the open file');

    assert.equal((await push([4, 5, 6])).status, 503, 'still refused');
    const errors = logs.filter((l) => l.msg === 'store unavailable');
    assert.equal(errors.length, 1, 'one error log when the store turned bad');
    assert.ok(String(errors[0]?.reason).includes(file));

    for (const f of parts) renameSync(join(aside, f), join(tmp.dir, f));
    assert.equal((await app.request('/ready')).status, 200);
    const again = await push([4, 5, 6]);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { inserted: number }).inserted, 3);
    assert.equal(logs.filter((l) => l.msg === 'store is back').length, 1);
    const after = (await (await app.request('/api/datasets')).json()) as { healthy: boolean };
    assert.equal(after.healthy, true);

    await engine.stop();
    const reopened = createSqliteStore({ path: file });
    assert.equal((await reopened.stats('draws')).records, 6, 'every acknowledged record is in the file');
    await reopened.close();
  });

  it('refuses writes into a file that another file replaced at the same path', async () => {
    assert.equal((await push([1])).status, 200);
    renameSync(file, join(tmp.dir, 'old.db'));
    new Database(file).close();
    const res = await push([2]);
    assert.equal(res.status, 503);
    assert.match(
      ((await res.json()) as { error: { message: string } }).error.message,
      /replaced by another file/,
    );
    assert.equal((await app.request('/ready')).status, 503);
  });
});

describe('a SQLite store file that may not be written', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => {
    for (const f of ['ro.db', 'ro.db-wal', 'ro.db-shm'])
      try {
        execFileSync('chattr', ['-i', join(tmp.dir, f)], { stdio: 'ignore' });
      } catch {}
    tmp.cleanup();
  });

  // Root ignores file modes, so the file is made immutable (chattr +i), which stops root too.
  it('refuses to open a file it may not write, naming it and what to do', {
    skip: immutableSkip,
  }, async () => {
    const file = join(tmp.dir, 'ro.db');
    const store = createSqliteStore({ path: file });
    await store.migrate();
    await store.ensureDataset('draws');
    await store.close();
    execFileSync('chattr', ['+i', file]);

    let onOpen: unknown;
    try {
      createSqliteStore({ path: file });
    } catch (err) {
      onOpen = err;
    }
    assert.ok(onOpen instanceof GapwardenError, String(onOpen));
    assert.equal(onOpen.code, 'STORE_UNAVAILABLE');
    assert.ok(onOpen.message.startsWith(`the SQLite file ${file} is not writable (EPERM)`), onOpen.message);
    assert.match(onOpen.message, /write it and its folder/);

    execFileSync('chattr', ['-i', file]);
    const writable = createSqliteStore({ path: file });
    const write = await writable.ingest(
      'draws',
      [{ key: '1', ordinal: 1, payload: '{}', source: null }],
      'ignore',
      1,
    );
    assert.deepEqual(write.inserted, ['1']);
    await writable.close();
  });

  // A file that turns read-only under an open connection keeps taking writes through it (the
  // immutable flag and modes are checked when a file is opened), so the first-write message is
  // checked on a real SQLITE_READONLY from a read-only connection; a real SQLITE_FULL goes
  // through the store itself in the full-disk test below.
  it('names the file for a real SQLITE_READONLY error (a read-only connection writing)', () => {
    const file = join(tmp.dir, 'ro.db');
    const db = openSqliteDatabase(file);
    db.exec('CREATE TABLE t (x INTEGER)');
    db.close();
    const ro = new Database(file, { readonly: true });
    let raw: unknown;
    try {
      ro.exec('INSERT INTO t VALUES (1)');
    } catch (err) {
      raw = err;
    } finally {
      ro.close();
    }
    assert.equal((raw as { code?: string }).code, 'SQLITE_READONLY');
    const named = describeSqliteFileProblem('storing', file, raw);
    assert.equal(named?.code, 'STORE_UNAVAILABLE');
    assert.ok(
      named?.message.startsWith(`storing failed: the SQLite file ${file} is read-only`),
      named?.message,
    );
  });
});

describe('SQLite durability', () => {
  it('syncs every commit by default (synchronous=FULL), NORMAL only when asked', () => {
    const tmp = tempDir();
    try {
      const full = openSqliteDatabase(join(tmp.dir, 'a.db'));
      assert.equal(full.pragma('synchronous', { simple: true }), 2);
      assert.equal(full.pragma('journal_mode', { simple: true }), 'wal');
      full.close();
      const normal = openSqliteDatabase(join(tmp.dir, 'b.db'), { synchronous: 'NORMAL' });
      assert.equal(normal.pragma('synchronous', { simple: true }), 1);
      normal.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('marks a new store file so that a deleted one is not silently replaced', async () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'm.db');
      const store = createSqliteStore({ path: file });
      await store.close();
      assert.match(readFileSync(sqliteMarkerPath(file), 'utf8'), /^gapwarden store: m\.db\ncreated: /);
    } finally {
      tmp.cleanup();
    }
  });
});

/** Mounts a small tmpfs, or says why it cannot (it needs root with CAP_SYS_ADMIN). */
function mountSmallDisk(dir: string, size: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN) to fill a disk for real';
  }
}

const diskSkip = (() => {
  const tmp = tempDir();
  try {
    const why = mountSmallDisk(tmp.dir, '64k');
    if (why === undefined) execFileSync('umount', [tmp.dir]);
    return why;
  } finally {
    tmp.cleanup();
  }
})();

describe('a SQLite store on a full disk', { skip: diskSkip }, () => {
  let tmp: ReturnType<typeof tempDir>;
  let disk: string;
  let engine: Engine;
  let app: Hono;
  let logs: Record<string, unknown>[];

  beforeEach(async () => {
    tmp = tempDir();
    disk = join(tmp.dir, 'disk');
    mkdirSync(disk);
    assert.equal(mountSmallDisk(disk, '4m'), undefined);
    logs = [];
    const config = compileConfig(
      {
        store: { sqlite: join(disk, 'full.db') },
        server: { token: TOKEN },
        datasets: { draws: { partition: { sequence: { start: 1 } } } },
      },
      { env: {} },
    );
    engine = createEngine({ config, logger: recordingLogger(logs) });
    await engine.start({ collect: false, backfill: false });
    app = createApp({ engine, server: config.server, version: '0.0.0-test' });
  });
  afterEach(async () => {
    await engine.stop();
    execFileSync('umount', [disk]);
    tmp.cleanup();
  });

  it('answers 503 to writes and /ready, reports the store unhealthy, and recovers once there is space', async () => {
    const file = join(disk, 'full.db');
    // Leave ~600 kB free, then push until the disk is full.
    const free = statfsSync(disk);
    writeFileSync(join(disk, 'filler'), Buffer.alloc(free.bavail * free.bsize - 600 * 1024));
    const batch = (from: number) =>
      Array.from({ length: 100 }, (_, i) => ({
        key: String(from + i),
        partition: from + i,
        payload: { text: 'x'.repeat(500) },
      }));
    const acknowledged: number[] = [];
    let refused: Response | undefined;
    let next = 1;
    for (let n = 0; n < 100 && !refused; n++, next += 100) {
      const res = await app.request('/api/datasets/draws/records', {
        method: 'POST',
        headers,
        body: JSON.stringify(batch(next)),
      });
      if (res.status === 200) for (let p = next; p < next + 100; p++) acknowledged.push(p);
      else refused = res;
    }
    assert.ok(refused, 'the disk should fill up');
    assert.equal(refused.status, 503);
    const error = ((await refused.json()) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'STORE_UNAVAILABLE');
    assert.ok(error.message.includes(file), error.message);
    assert.match(error.message, /is full/);

    const ready = await app.request('/ready');
    assert.equal(ready.status, 503, '/ready must say the store cannot take writes');
    assert.match(((await ready.json()) as { reasons: string[] }).reasons.join(' '), /is full/);
    const status = (await (await app.request('/api/datasets')).json()) as { healthy: boolean };
    assert.equal(status.healthy, false);
    assert.equal(logs.filter((l) => l.msg === 'store unavailable').length, 1);

    rmSync(join(disk, 'filler'));
    assert.equal(
      (await app.request('/ready')).status,
      200,
      'ready again once there is space, without traffic',
    );
    assert.equal(logs.filter((l) => l.msg === 'store is back').length, 1);
    const again = await app.request('/api/datasets/draws/records', {
      method: 'POST',
      headers,
      body: JSON.stringify(batch(next - 100)),
    });
    assert.equal(again.status, 200);
    const stats = await engine.store.stats('draws');
    assert.equal(stats.records, acknowledged.length + 100, 'every acknowledged record is stored');
  });
});

// A store that existed and is gone is never replaced by an empty one without
// being asked: `serve` refuses (naming the file and the flag) until
// `serve --create-store`; verbs that only read never create a store at all.
// A brand-new folder still gets its store from `serve` without any flag.
// The real CLI (dist/) in a temp folder.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { exited, runCli, spawnCli } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

const ENV = { GAPWARDEN_LOG_LEVEL: 'info' };

/** Runs `serve` until it logs "serving", then stops it; resolves with its exit code and output. */
async function serveOnce(args: string[]): Promise<{ code: number | null; output: string }> {
  const serve = spawnCli(['serve', '--no-http', ...args], ENV);
  const done = exited(serve);
  let finished = false;
  void done.then(() => {
    finished = true;
  });
  await waitFor(
    () => finished || serve.output().includes('"msg":"serving"'),
    'serve to start or exit',
    30_000,
  );
  if (!finished) serve.kill('SIGTERM');
  const { code } = await done;
  return { code, output: serve.output() };
}

describe('a missing store', () => {
  const tmp = tempDir('gapwarden-missing-');
  const db = join(tmp.dir, 'gw.db');
  const config = join(tmp.dir, 'gapwarden.config.yaml');
  writeFileSync(
    config,
    'store: { sqlite: gw.db }\ndatasets:\n  draws:\n    partition: { sequence: { start: 1 } }\n',
  );
  after(() => tmp.cleanup());

  it('read-only verbs in a folder without a store say so, exit 1, and create nothing', async () => {
    for (const args of [['status'], ['gaps', 'draws'], ['check']]) {
      const res = await runCli([...args, '--config', config]);
      assert.equal(res.code, 1, `${args[0]}: ${res.stderr}`);
      assert.match(res.stderr, /no store at .*gw\.db: run `gapwarden serve` first/);
      assert.equal(existsSync(db), false, `${args[0]} must not create a store`);
    }
    const json = await runCli(['status', '--config', config, '--json']);
    assert.equal(JSON.parse(json.stdout).error.code, 'STORE_MISSING');
    assert.deepEqual(readdirSync(tmp.dir), ['gapwarden.config.yaml']);
  });

  it('serve creates the store in a new folder without any flag', async () => {
    const first = await serveOnce(['--config', config]);
    assert.equal(first.code, 0, first.output);
    assert.equal(existsSync(db), true);
    assert.equal((await runCli(['status', '--config', config])).code, 0);
  });

  it('serve refuses to start over a store that was deleted, until --create-store', async () => {
    for (const f of ['gw.db', 'gw.db-wal', 'gw.db-shm']) rmSync(join(tmp.dir, f), { force: true });
    const refused = await serveOnce(['--config', config]);
    assert.equal(refused.code, 1, refused.output);
    assert.ok(refused.output.includes(`the SQLite store ${db} is missing`), refused.output);
    assert.match(refused.output, /--create-store/);
    assert.equal(existsSync(db), false, 'nothing was created');
    const status = await runCli(['status', '--config', config]);
    assert.equal(status.code, 1);
    assert.ok(status.stderr.includes(db), status.stderr);

    const created = await serveOnce(['--config', config, '--create-store']);
    assert.equal(created.code, 0, created.output);
    assert.equal(existsSync(db), true);
    assert.equal((await serveOnce(['--config', config])).code, 0, 'and later starts need no flag');
  });

  it('serve refuses when only the database file was deleted and its -wal is left', async () => {
    const dir = tempDir('gapwarden-wal-');
    try {
      const cfg = join(dir.dir, 'gapwarden.config.yaml');
      writeFileSync(cfg, 'store: { sqlite: w.db }\ndatasets: {}\n');
      rmSync(join(dir.dir, '.w.db.created'), { force: true });
      writeFileSync(join(dir.dir, 'w.db-wal'), 'left over');
      const refused = await serveOnce(['--config', cfg]);
      assert.equal(refused.code, 1, refused.output);
      assert.match(refused.output, /w\.db-wal is still there/);
      assert.equal(existsSync(join(dir.dir, 'w.db')), false);
    } finally {
      dir.cleanup();
    }
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { assertDemoComplete } from './helpers/demo-outcome.js';
import { storeAdapter } from './helpers/store-adapters.js';
import { tempDir } from './helpers/temp-dir.js';

const pg = storeAdapter('postgres');
/** Trust auth ignores it; it must still never reach the config file or the output. */
const PASSWORD = 'not-a-real-secret';

describe('gapwarden demo --store <postgres-url>', { skip: pg.skip }, () => {
  const tmp = tempDir('gapwarden-demo-pg-');
  let url: string;
  let withPassword: string;

  before(async () => {
    url = await pg.createDatabase();
    const u = new URL(url);
    u.password = PASSWORD;
    withPassword = u.toString();
  });
  after(async () => {
    tmp.cleanup();
    if (url) await pg.dropDatabase(url);
  });

  it('ends a bounded run on PostgreSQL complete and equal to the upstream', async () => {
    const res = await runCli(['demo', '--dir', tmp.dir, '--store', withPassword, '--for', '20s', '--json'], {
      timeoutMs: 90_000,
    });
    assert.equal(res.code, 0, `demo failed:\n${res.stdout}\n${res.stderr}`);
    assertDemoComplete(res.stdout, 8);

    // The URL lives in the environment only; the output tells how to point other verbs at it.
    const config = readFileSync(join(tmp.dir, 'gapwarden.config.ts'), 'utf8');
    assert.match(config, /"postgres": "\$\{env:GAPWARDEN_DEMO_STORE\}"/);
    assert.ok(!config.includes(PASSWORD) && !config.includes(new URL(url).pathname));
    assert.ok(!`${res.stdout}${res.stderr}`.includes(PASSWORD), 'the password was printed');
    assert.match(res.stderr, /export GAPWARDEN_DEMO_STORE='postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
  });

  it('leaves the store in the database for other verbs given GAPWARDEN_DEMO_STORE', async () => {
    const status = await runCli(['status', '--dir', tmp.dir, '--json'], {
      env: { GAPWARDEN_DEMO_STORE: url },
    });
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout);
    const draws = report.datasets.find((d: { name: string }) => d.name === 'draws');
    assert.ok(draws.records >= 8);
    assert.equal(draws.openGaps, 0);

    const unset = await runCli(['status', '--dir', tmp.dir], { env: { GAPWARDEN_DEMO_STORE: '' } });
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /GAPWARDEN_DEMO_STORE/);
  });
});

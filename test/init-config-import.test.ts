// The starter config `gapwarden init` writes imports `defineConfig` from 'gapwarden'. In a project where
// gapwarden is installed, the other verbs load it (the package resolves for the TypeScript loader, which
// compiles a config outside an ESM package as CommonJS); where it is not, the error says what to do.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const ROOT = join(import.meta.dirname, '..');

describe('the starter config imports gapwarden', () => {
  const installed = tempDir();
  const bare = tempDir();
  after(() => {
    installed.cleanup();
    bare.cleanup();
  });

  it('loads in a project that has gapwarden installed', async () => {
    assert.equal((await runCli(['init', '--dir', installed.dir])).code, 0);
    mkdirSync(join(installed.dir, 'node_modules'));
    symlinkSync(ROOT, join(installed.dir, 'node_modules', 'gapwarden'), 'dir');
    const res = await runCli(['jobs', 'list', '--dir', installed.dir, '--json']);
    assert.doesNotMatch(res.stderr + res.stdout, /could not read/, 'the config did not load');
    assert.match(res.stdout + res.stderr, /collect:|no store/);
  });

  it('says how to fix it where gapwarden is not installed', async () => {
    assert.equal((await runCli(['init', '--dir', bare.dir])).code, 0);
    const res = await runCli(['jobs', 'list', '--dir', bare.dir]);
    assert.equal(res.code, 2);
    assert.match(res.stderr, /could not read .*gapwarden\.config\.ts.*npm install --save-dev gapwarden/s);
  });
});

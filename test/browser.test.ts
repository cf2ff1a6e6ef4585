import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { exited, spawnCli } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

// Debian's Chromium, never a downloaded browser (.ci/run installs it).
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed: apt-get install chromium';
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');

// One demo and one page for the whole file, in order: overview, backfill form, a gap closing.
// The demo's upstream skips the same periods on every run; the first draws gap opens ~46 s in.
describe('dashboard in Chromium against a running demo', () => {
  const tmp = tempDir('gapwarden-browser-');
  let demo: ReturnType<typeof spawnCli> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let dashboard: URL;
  const killDemo = () => demo?.kill('SIGKILL');

  before(async () => {
    if (skip) return;
    mkdirSync(ARTIFACTS, { recursive: true });
    demo = spawnCli(['demo', '--dir', tmp.dir, '--for', '90s', '--api-port', '0']);
    process.once('exit', killDemo);
    let address = '';
    await waitFor(
      () => {
        if (demo?.exitCode !== null) throw new Error(`the demo exited early:\n${demo?.output()}`);
        address = /^dashboard: (\S+)$/m.exec(demo.output())?.[1] ?? '';
        return address !== '';
      },
      'the demo to print its dashboard address',
      20_000,
    );
    dashboard = new URL(address);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGTERM');
      const gone = await Promise.race([exited(demo), new Promise((r) => setTimeout(() => r(null), 5000))]);
      if (gone === null) killDemo();
      await exited(demo);
    }
    process.off('exit', killDemo);
    tmp.cleanup();
  });

  it('shows both demo datasets with a status and completeness, live over the event stream', {
    skip,
  }, async () => {
    await page.goto(dashboard.href);
    for (const name of ['draws', 'daily']) {
      const row = page.locator(`tr[data-dataset="${name}"]`);
      await row.waitFor({ timeout: 10_000 });
      assert.match((await row.getAttribute('data-status')) ?? '', /^(healthy|degraded|unhealthy)$/);
      assert.match(
        await row.locator('.badge').innerText(),
        /healthy|degraded|unhealthy/i,
        `${name} shows its status in words`,
      );
      assert.match(await row.locator('td[data-label="Complete"]').innerText(), /\d+(\.\d)? %/);
    }
    // The token left the address bar (kept for the page, not for history or screenshots).
    assert.doesNotMatch(page.url(), /token=/);
    await page.locator('header [data-live="sse"]').waitFor({ timeout: 10_000 });
    assert.match((await page.locator('header .live').innerText()).trim(), /^live ·/);
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
  });

  it('refuses a backfill without the token, and plans one from the page with the token from the address', {
    skip,
  }, async () => {
    const refused = await fetch(new URL('/api/datasets/draws/backfills', dashboard), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dryRun: true }),
    });
    assert.equal(refused.status, 401);

    await page.getByRole('link', { name: 'draws', exact: true }).click();
    await page.locator('.dataset-page[data-dataset="draws"] h1').waitFor();
    assert.match(page.url(), /#\/datasets\/draws$/);
    const form = page.getByTestId('backfill-form');
    assert.equal(await form.locator('input[name="dryRun"]').isChecked(), true, 'a dry run by default');
    await form.getByRole('button', { name: 'Plan backfill' }).click();
    const result = page.getByTestId('backfill-result');
    await result.getByText(/^Dry run:/).waitFor({ timeout: 10_000 });
    assert.equal(await result.locator('.token-prompt').count(), 0, 'the page did not ask for a token');
  });

  it('shows a gap of draws open, then the same gap filled by backfill', { skip }, async () => {
    // The first open row, read in one go in the page so it cannot change between reads.
    // This file is type-checked without the DOM library, hence the shape of `document` here.
    const handle = await page.waitForFunction(
      () => {
        type Row = { getAttribute(name: string): string | null; textContent: string | null };
        const doc = (globalThis as unknown as { document: { querySelector(s: string): Row | null } })
          .document;
        const row = doc.querySelector('tr[data-gap][data-gap-state="open"]');
        return row ? { id: row.getAttribute('data-gap') ?? '', text: row.textContent ?? '' } : null;
      },
      undefined,
      { timeout: 60_000, polling: 'raf' },
    );
    const open = await handle.jsonValue();
    assert.ok(open);
    assert.match(open.text, /missing \d+/);
    assert.match(open.text, /open for \d+(\.\d)? s/);

    const closed = page.locator(`tr[data-gap="${open.id}"][data-gap-state="closed"]`);
    await closed.waitFor({ timeout: 30_000 });
    assert.match(await closed.innerText(), /filled after \d+(\.\d)? (ms|s) by backfill/);
    await page.screenshot({ path: join(ARTIFACTS, 'dataset.png'), fullPage: true });
  });
});

// The dashboard's archive page in Chromium against a real `serve` whose dataset has a 7-day
// retention into a folder: the page shows the retention and that nothing is archived; "Run
// retention now" asks for the token, then archives; the page lists each day's object with its
// records, state and verification; Verify reads an object back (and says so when one was
// damaged); Restore puts a day back into the store.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium, type RunningServe, startServe } from './helpers/browser-serve.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const TOKEN = 'archive-browser-token-0123456789';
// Three days of data 20 days ago, 2 records an hour: every day is past the 7-day retention.
const FIRST = Math.floor((Date.now() - 20 * DAY) / DAY) * DAY;
const DAYS = [0, 1, 2].map((d) => new Date(FIRST + d * DAY).toISOString().slice(0, 10));
const PER_DAY = 48;
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');

/** Waits until `locator` says `text` (exactly, or matching); a timeout shows what it said instead. */
async function says(locator: Locator, text: string | RegExp, timeoutMs = 10_000): Promise<void> {
  const matches = (said: string) => (typeof text === 'string' ? said.trim() === text : text.test(said));
  await waitFor(async () => matches(await locator.innerText()), `"${text}"`, timeoutMs).catch(async (err) => {
    throw new Error(`${err.message}; the page says: ${await locator.innerText()}`);
  });
}

describe('dashboard: archive page', { skip: CHROMIUM_MISSING }, () => {
  const tmp = tempDir('gapwarden-archive-browser-');
  let serve: RunningServe | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    const config = join(tmp.dir, 'gapwarden.yaml');
    writeFileSync(
      config,
      `store: { sqlite: store.db }
server: { token: ${TOKEN} }
datasets:
  events:
    partition: { calendar: { every: 1h, start: '${new Date(FIRST).toISOString()}', horizon: false } }
archive:
  store: { folder: objects }
  datasets:
    events: { retention: 7d }
`,
    );
    serve = await startServe(config);
    const records = [];
    for (let t = FIRST; t < FIRST + 3 * DAY; t += HOUR)
      for (const i of [0, 1])
        records.push({ key: `${t}-${i}`, partition: new Date(t).toISOString(), payload: { n: i, t } });
    const pushed = await fetch(`${serve.url}/api/datasets/events/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(records),
    });
    assert.equal(pushed.status, 200, await pushed.text());
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await serve?.stop();
    tmp.cleanup();
  });

  it('shows the retention, runs it with the token, lists what was archived and verified', async () => {
    await page.goto(`${serve!.url}/`);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Archive' }).click();
    const section = page.locator('[data-archive-dataset="events"]');
    await section.waitFor({ timeout: 10_000 });
    assert.match(
      await section.getByTestId('archive-retention').innerText(),
      /Keeps detail records for 7 days.*archives kept for ever/,
    );
    assert.equal(await section.getByTestId('archive-usage').innerText(), 'Nothing archived yet.');
    assert.match(await page.locator('.archive-page').innerText(), /Objects go to folder .*objects/);

    // No token in this browser: the server refuses, the page asks for it and sends the run again.
    await section.getByRole('button', { name: 'Run retention now' }).click();
    const result = section.getByTestId('archive-result');
    await result.getByTestId('token-prompt').waitFor({ timeout: 10_000 });
    await result.getByLabel('API token').fill(TOKEN);
    await result.getByRole('button', { name: 'Save and retry' }).click();
    await says(
      result,
      `Archived 3 objects (144 records, ${DAYS[0]} – ${DAYS[2]}); deleted 144 records from the store.`,
      20_000,
    );

    const rows = section.locator('[data-testid="archive-manifests"] tr[data-day]');
    await waitFor(async () => (await rows.count()) === 3, 'three archived days in the table', 10_000);
    assert.deepEqual(
      (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-day')))).sort(),
      DAYS,
    );
    for (const day of DAYS) {
      const row = section.locator(`tr[data-day="${day}"]`);
      assert.equal(await row.locator('[data-state]').getAttribute('data-state'), 'deleted');
      assert.match(
        await row.locator('td[data-label="Records"]').innerText(),
        /^48\n48 deleted from the store$/,
      );
      assert.match(await row.locator('td[data-label="Verified"]').innerText(), /^✓ /);
      assert.match(await row.locator('td[data-label="Object"]').innerText(), new RegExp(`events.*${day}`));
      assert.match(await row.locator('th').innerText(), /24 partitions/);
    }
    await waitFor(
      async () =>
        /^3 objects · 144 records archived/.test(await section.getByTestId('archive-usage').innerText()),
      'the usage line to count the archive',
      10_000,
    );
    await section.getByTestId('archive-events').getByText('deleted').first().waitFor({ timeout: 10_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'archive.png'), fullPage: true });
  });

  it('verifies one day, reports a damaged object, and restores a day', async () => {
    const section = page.locator('[data-archive-dataset="events"]');
    const result = section.getByTestId('archive-result');
    const d0 = section.locator(`tr[data-day="${DAYS[0]}"]`);
    await d0.getByRole('button', { name: 'Verify' }).click();
    await says(result, `Verified 1 object of ${DAYS[0]}: records, size and sha256 match.`);
    assert.match(await d0.locator('td[data-label="Verified"]').innerText(), /read back .*: matches/);

    // Cut the end off day 1's object: verifying every object finds it, and only it.
    const manifests = (await (
      await fetch(`${serve!.url}/api/archive/manifests?dataset=events&day=${DAYS[1]}`)
    ).json()) as { manifests: { objectKey: string }[] };
    const path = join(tmp.dir, 'objects', ...manifests.manifests[0]!.objectKey.split('/'));
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 9));
    await section.getByRole('button', { name: 'Verify every object' }).click();
    await says(result, /^1 of 3 objects of events do not match: /);
    const d1 = section.locator(`tr[data-day="${DAYS[1]}"]`);
    assert.equal(await d1.locator('[data-verify]').getAttribute('data-verify'), 'mismatch');
    assert.equal(await d0.locator('[data-verify]').getAttribute('data-verify'), 'ok');
    writeFileSync(path, bytes);

    const d2 = section.locator(`tr[data-day="${DAYS[2]}"]`);
    await d2.getByRole('button', { name: 'Restore' }).click();
    await says(
      result,
      `Restored ${DAYS[2]}: ${PER_DAY} records put back into the store (48 read from 1 object).`,
    );
    await waitFor(
      async () => (await d2.locator('[data-state]').getAttribute('data-state')) === 'restored',
      'the restored day to show restored',
      10_000,
    );
    assert.equal(
      await d2.getByRole('button', { name: 'Restore' }).count(),
      0,
      'restored: nothing to restore',
    );
    // The records are back: the dataset's page counts them.
    const status = (await (await fetch(`${serve!.url}/api/datasets/events`)).json()) as {
      dataset: { records: number };
    };
    assert.equal(status.dataset.records, PER_DAY);
  });
});

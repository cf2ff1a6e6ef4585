// The dashboard's alerts page and header badge in Chromium, against a demo whose upstream goes
// silent: the badge counts the P0, the page lists it, Acknowledge works with the token, the
// alert's page shows its history and delivery log, and the badge clears once it resolves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium } from './helpers/browser-serve.js';
import { exited, spawnCli } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

const skip = CHROMIUM_MISSING;

describe('dashboard: alerts page and badge', () => {
  const tmp = tempDir('gapwarden-alerts-browser-');
  let demo: ReturnType<typeof spawnCli> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let dashboard = '';

  before(async () => {
    if (skip) return;
    demo = spawnCli([
      'demo',
      '--dir',
      tmp.dir,
      '--for',
      '75s',
      '--silence-at',
      '3s',
      '--silence-for',
      '35s',
      '--api-port',
      '0',
    ]);
    await waitFor(
      () => {
        if (demo?.exitCode !== null) throw new Error(`the demo exited early:\n${demo?.output()}`);
        dashboard = /^dashboard: (\S+)$/m.exec(demo.output())?.[1] ?? '';
        return dashboard !== '';
      },
      'the demo to print its dashboard address',
      20_000,
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      demo.kill('SIGTERM');
      await exited(demo);
    }
    tmp.cleanup();
  });

  it('badge, firing now, acknowledge, the alert page with its delivery log, resolved', { skip }, async () => {
    await page.goto(dashboard);
    const badge = page.getByTestId('alert-badge');
    await badge.waitFor({ timeout: 20_000 });
    await waitFor(
      async () => Number(await badge.getAttribute('data-firing')) >= 1,
      'the badge to count a firing alert',
      30_000,
    );
    assert.match((await badge.textContent()) ?? '', /firing \(P0\)/);

    await badge.click();
    const row = page.locator('[data-testid="alerts"] tr[data-alert]').filter({ hasText: 'collect-failing' });
    await row.waitFor({ timeout: 10_000 });
    assert.match((await row.textContent()) ?? '', /P0/);
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('Acknowledged: no more escalation or repeats').waitFor({ timeout: 10_000 });
    await waitFor(
      async () => (await row.locator('[data-state]').getAttribute('data-state')) === 'acknowledged',
      'the row to show acknowledged',
      10_000,
    );
    await page.getByTestId('alert-timeline').getByText('acknowledged').first().waitFor({ timeout: 10_000 });

    await row.getByRole('link').first().click();
    const detail = page.getByTestId('alert-detail');
    await detail.waitFor({ timeout: 10_000 });
    const log = page.getByTestId('delivery-log');
    await log.waitFor({ timeout: 10_000 });
    assert.match((await log.textContent()) ?? '', /oncall.*firing.*delivered/s);

    // The upstream answers again: every alert resolves, the page says so and the badge clears.
    await page.goto(`${dashboard.split('#')[0]}#/alerts`);
    await page.getByTestId('no-alerts').waitFor({ timeout: 60_000 });
    await waitFor(
      async () => (await badge.getAttribute('data-firing')) === '0',
      'the badge to clear',
      10_000,
    );
    assert.equal(await badge.textContent(), 'No alerts');
  });
});

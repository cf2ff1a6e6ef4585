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

// One demo and one page for the whole file, in order: overview, backfill form, jobs, the daily dataset,
// a gap closing.
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

  it('lists the jobs with their next run and last outcome; pauses, resumes and runs one from the page', {
    skip,
  }, async () => {
    const checkAll = async () => {
      const res = await fetch(new URL('/api/jobs', dashboard));
      const { jobs } = (await res.json()) as { jobs: { id: string; paused: boolean }[] };
      return jobs.find((j) => j.id === 'check-all');
    };
    const refused = await fetch(new URL('/api/jobs/check-all/pause', dashboard), { method: 'POST' });
    assert.equal(refused.status, 401, 'pausing a job needs the token');

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Jobs' }).click();
    assert.match(page.url(), /#\/jobs$/);
    const draws = page.locator('tr[data-job="collect:draws"]');
    await draws.locator('[data-testid="last-run"] .pill').waitFor({ timeout: 10_000 });
    // A UTC job says its next run once; a job in another zone in that zone and in UTC.
    assert.match(
      await draws.getByTestId('next-run').innerText(),
      /^\d\d:\d\d(:\d\d)? UTC, (in \d+ s|due now)$/,
    );
    assert.match(
      await page.locator('tr[data-job="collect:daily"]').getByTestId('next-run').innerText(),
      /^\d\d:\d\d(:\d\d)? Asia\/Shanghai · \d\d:\d\d(:\d\d)? UTC, (in \d+ s|due now)$/,
    );
    assert.match(
      await draws.getByTestId('last-run').innerText(),
      /^((ok|failed|timeout|skipped|cancelled) |running started )(just now|\d+ (s|min) ago)/,
    );

    const check = page.locator('tr[data-job="check-all"]');
    await check.getByRole('button', { name: 'Pause' }).click();
    await page.locator('tr[data-job="check-all"][data-paused="true"]').waitFor({ timeout: 5000 });
    assert.match(await check.getByTestId('next-run').innerText(), /paused/);
    assert.equal((await checkAll())?.paused, true, 'the API says paused too');
    await check.getByRole('button', { name: 'Resume' }).click();
    await page.locator('tr[data-job="check-all"][data-paused="false"]').waitFor({ timeout: 5000 });
    assert.match(await check.getByTestId('next-run').innerText(), /UTC, (in \d+ s|due now)/);
    assert.equal((await checkAll())?.paused, false, 'the API says resumed too');

    // Run now from the job's history: the manual run shows up there on its own.
    await check.getByRole('link', { name: 'check-all' }).click();
    await page.locator('.job-page[data-job="check-all"]').waitFor();
    assert.match(page.url(), /#\/jobs\/check-all$/);
    const shown = await page
      .locator('tr[data-run]')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run'))));
    await page.locator('.job-page').getByRole('button', { name: 'Run now' }).click();
    const manual = page.locator('tr[data-run][data-trigger="manual"]').first();
    await manual.waitFor({ timeout: 10_000 });
    assert.ok(!shown.includes(Number(await manual.getAttribute('data-run'))), 'a new run');
    await page.locator('tr[data-run][data-trigger="manual"][data-state="ok"]').waitFor({ timeout: 10_000 });
    assert.match(await manual.innerText(), /manual\s+ok/);
    await page.screenshot({ path: join(ARTIFACTS, 'job-history.png'), fullPage: true });

    await page.getByRole('link', { name: '← All jobs' }).click();
    await page
      .locator('tr[data-job="check-all"] [data-testid="last-run"]')
      .getByText(/manual/)
      .waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(ARTIFACTS, 'jobs.png'), fullPage: true });
    // Back to the draws dataset through the jobs list, for the gap below.
    await draws.getByRole('link', { name: 'draws', exact: true }).click();
    await page.locator('.dataset-page[data-dataset="draws"] h1').waitFor();
  });

  it('shows the daily dataset: backfill runs by date, the whole range with zoom, activity as bars', {
    skip,
  }, async () => {
    await page.goto(new URL('#/datasets/daily', dashboard).href);
    await page.locator('.dataset-page[data-dataset="daily"] h1').waitFor();
    // The demo's daily series starts two weeks back: the first collect opens that gap and a run fills it.
    const range = page.getByTestId('run-range').first();
    await range.waitFor({ timeout: 20_000 });
    assert.match(await range.innerText(), /^\d{4}-\d\d-\d\d( – \d{4}-\d\d-\d\d)?$/);

    const heatmap = page.getByTestId('heatmap');
    await heatmap.waitFor();
    assert.equal(await heatmap.getAttribute('data-bucket'), 'day');
    assert.equal(await heatmap.locator('.cell').count(), 15, 'fifteen days, the whole range');
    assert.match(
      await page.getByTestId('heatmap-scope').innerText(),
      /\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d in 15 /,
    );
    // Weeks, then a week zoomed into its days, then back out.
    await page.locator('.heatmap-panel select').selectOption('week');
    await page.locator('[data-testid="heatmap"][data-bucket="week"]').waitFor();
    const week = page.locator('[data-testid="heatmap"] button.cell').first();
    const weekLabel = (await week.getAttribute('data-label')) ?? '';
    assert.match(weekLabel, /^week of \d{4}-\d\d-\d\d$/);
    await week.click();
    await page.locator('[data-testid="heatmap"][data-bucket="day"]').waitFor();
    assert.match(await page.getByTestId('zoom-trail').innerText(), new RegExp(`Whole range › ${weekLabel}`));
    assert.ok((await heatmap.locator('.cell').count()) <= 7);
    await page.getByTestId('zoom-trail').getByRole('button', { name: 'Whole range' }).click();
    await page.locator('[data-testid="heatmap"] .cell').nth(14).waitFor();

    // Records stored over the last hour: the collector's today, and the two weeks backfill filled
    // (read once the run is done; the chart follows the live events).
    await page
      .locator('[data-testid="runs"] tr[data-run] .pill', { hasText: /^done/ })
      .first()
      .waitFor({ timeout: 20_000 });
    const drawn = await page.waitForFunction(
      () => {
        type Bar = { getAttribute(name: string): string | null };
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Bar[] } }).document;
        // No named helpers in here: the test's transpiler would wrap them in a function the page lacks.
        const totals = { inserted: 0, filled: 0 };
        for (const b of doc.querySelectorAll('[data-testid="activity-chart"] .activity-bucket')) {
          totals.inserted += Number(b.getAttribute('data-inserted'));
          totals.filled += Number(b.getAttribute('data-filled'));
        }
        return totals.filled >= 14 ? totals : null;
      },
      undefined,
      { timeout: 15_000 },
    );
    const totals = (await drawn.jsonValue())!;
    assert.ok(totals.inserted > totals.filled, `the collected record too (${JSON.stringify(totals)})`);
    assert.ok((await page.locator('[data-testid="activity-chart"] rect.bar-filled').count()) > 0);
    assert.match(
      await page.getByTestId('activity-summary').innerText(),
      /records? stored in the last hour, \d+ of them filled by backfill/,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'daily.png'), fullPage: true });

    await page.goto(new URL('#/datasets/draws', dashboard).href);
    await page.locator('.dataset-page[data-dataset="draws"] h1').waitFor();
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

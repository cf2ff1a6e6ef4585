// The dashboard's checks pages in Chromium, against the demo's task-platform database: the list
// shows task-outputs degraded with the demo's missing outputs as findings; Run now asks for the
// token; the check's page charts its score and lists findings and delays; the repair preview lists
// one action per finding, Confirm repairs them (the score goes to 100 %), Rollback restores the
// findings, and a second rollback is refused in the server's words.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { CHROMIUM_MISSING, launchChromium } from './helpers/browser-serve.js';
import { exited, spawnCli } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

const skip = CHROMIUM_MISSING;

const text = async (l: Locator) => ((await l.innerText()) ?? '').replace(/\s+/g, ' ').trim();

describe('dashboard: checks, repair and rollback', () => {
  const tmp = tempDir('gapwarden-checks-browser-');
  let demo: ReturnType<typeof spawnCli> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let base = '';
  let token = '';
  /** What the demo says it seeded and found: SUCCESS tasks without their output, the first score. */
  let missing = 0;
  let firstScore = '';

  before(async () => {
    if (skip) return;
    demo = spawnCli(['demo', '--dir', tmp.dir, '--for', '120s', '--api-port', '0']);
    await waitFor(
      () => {
        if (demo?.exitCode !== null) throw new Error(`the demo exited early:\n${demo?.output()}`);
        const m = /^dashboard: (\S+)#token=(\S+)$/m.exec(demo.output());
        if (!m) return false;
        base = m[1] ?? '';
        token = m[2] ?? '';
        return true;
      },
      'the demo to print its dashboard address',
      20_000,
    );
    const out = demo?.output() ?? '';
    missing = Number(/(\d+) SUCCESS tasks without their output/.exec(out)?.[1]);
    firstScore =
      /check task-outputs: degraded, level \w+, score ([\d.]+)%, (\d+) findings/.exec(out)?.[1] ?? '';
    assert.ok(missing > 0 && firstScore, `the demo should report a degraded first check run:\n${out}`);
    browser = await launchChromium();
    // A fresh profile: no token saved, so the first write asks for it.
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  });
  after(async () => {
    await browser?.close();
    if (demo && demo.exitCode === null) {
      demo.kill('SIGTERM');
      await exited(demo);
    }
    tmp.cleanup();
  });

  it('lists the check, charts it, previews, repairs, rolls back and refuses a second rollback', {
    skip,
  }, async () => {
    // The address without `#token=`: the token is typed when the first write asks for it.
    await page.goto(`${base}#/`);
    await page.getByRole('link', { name: 'Checks', exact: true }).click();
    const row = page.locator('[data-testid="checks"] tr[data-check="task-outputs"]');
    await row.waitFor({ timeout: 10_000 });
    const score = `${Number(firstScore).toFixed(1)} %`;
    assert.equal(await text(row.locator('[data-status]')), 'degraded');
    assert.equal(await text(row.getByTestId('score')), score);
    assert.match(await text(row.getByTestId('findings')), new RegExp(`^${missing} ?of \\d+$`));
    assert.match(await text(row), /consistency/);
    assert.match(await text(row.getByTestId('last-run')), /full · manual/);

    // Run now: the server wants the token; once typed, the run is sent again and shown.
    await row.getByRole('button', { name: 'Run now' }).click();
    const prompt = row.getByTestId('token-prompt');
    await prompt.waitFor({ timeout: 10_000 });
    await prompt.getByLabel('API token').fill(token);
    await prompt.getByRole('button', { name: 'Save and retry' }).click();
    await row
      .getByTestId('run-check-result')
      .filter({ hasText: `degraded, score ${score}, ${missing} findings` })
      .waitFor({ timeout: 10_000 });
    await waitFor(
      async () => /· api/.test(await text(row.getByTestId('last-run'))),
      'the row to show the api run',
    );

    // The check's page: two runs on the chart, the findings sample and the delay figures.
    await row.getByRole('link', { name: 'task-outputs' }).click();
    const checkPage = page.getByTestId('check-page');
    await checkPage.waitFor({ timeout: 10_000 });
    const runPoints = page.locator('[data-testid="trend-runs"] svg circle.score-point');
    await waitFor(async () => (await runPoints.count()) >= 2, 'two runs on the chart');
    assert.equal(Number(await runPoints.last().getAttribute('data-score')).toFixed(2), firstScore);
    assert.ok((await page.locator('[data-testid="trend-days"] svg circle.score-point').count()) >= 1);
    assert.equal(await text(page.getByTestId('last-findings')), String(missing));
    const sample = page.locator('[data-testid="findings-sample"] tbody tr');
    assert.ok((await sample.count()) > 0, 'a sample of the findings is listed');
    assert.match(await text(sample.first()), /finished_at=/);
    const delay = await text(page.getByTestId('check-delay'));
    assert.match(delay, /p50 delay \d[\d.]* (ms|s|min|h)/);
    assert.match(delay, /p95 delay \d[\d.]* (ms|s|min|h)/);
    assert.match(delay, /max delay \d[\d.]* (ms|s|min|h)/);
    assert.equal(await text(page.getByTestId('journal-empty')), 'No repair has run yet.');

    // Preview: one action per finding, nothing changed yet.
    await page.getByRole('button', { name: 'Preview repair' }).click();
    const preview = page.locator('[data-testid="repair-preview"] tbody tr');
    await preview.first().waitFor({ timeout: 10_000 });
    assert.equal(await preview.count(), missing);
    assert.match(
      await text(page.getByTestId('repair-preview-summary')),
      new RegExp(`^${missing} actions in ${Math.ceil(missing / 10)} batches of 10`),
    );
    assert.match(await text(preview.first()), /INSERT INTO task_outputs/);

    // Confirm: every finding repaired, the run in the journal.
    await page.getByRole('button', { name: `Confirm: repair ${missing}` }).click();
    const result = page.getByTestId('repair-result');
    await result.getByText('Repair done (journal #1).').waitFor({ timeout: 15_000 });
    assert.equal(await text(result.locator('[data-count="repaired"]')), `${missing} repaired`);
    assert.equal(await text(result.locator('[data-count="failed"]')), '0 failed');
    const journalRow = page.locator('[data-testid="repair-journal"] tr[data-repair="1"]');
    await journalRow.waitFor({ timeout: 10_000 });
    assert.equal(await journalRow.locator('[data-status]').getAttribute('data-status'), 'done');
    assert.match(await text(journalRow.getByTestId('journal-outcome')), new RegExp(`^${missing} repaired`));

    // A new preview finds nothing left to do.
    await page.getByRole('button', { name: 'Preview repair' }).click();
    await page
      .getByTestId('repair-preview-summary')
      .getByText('Nothing to repair: the check finds nothing to act on now.')
      .waitFor({ timeout: 10_000 });

    // Running the check again finds nothing missing.
    const runNow = checkPage.getByTestId('run-check');
    await runNow.getByRole('button', { name: 'Run now' }).click();
    await runNow.getByText('healthy, score 100 %, 0 findings').waitFor({ timeout: 10_000 });
    await waitFor(
      async () => (await text(page.getByTestId('last-findings'))) === '0',
      'the last run to show 0',
    );

    // Rollback restores the missing outputs: the next run finds them all again.
    await journalRow.getByRole('button', { name: 'Rollback' }).click();
    await journalRow
      .getByTestId('rollback-result')
      .filter({ hasText: `Rolled back: ${missing} changes undone` })
      .waitFor({ timeout: 10_000 });
    await journalRow.locator('[data-rollback="done"]').waitFor({ timeout: 10_000 });
    assert.equal(await text(journalRow.locator('[data-rollback]')), 'rolled back');
    await runNow.getByRole('button', { name: 'Run now' }).click();
    await runNow.getByText(`degraded, score ${score}, ${missing} findings`).waitFor({ timeout: 10_000 });

    // A second rollback is refused, and the page says why.
    await journalRow.getByRole('button', { name: 'Rollback' }).click();
    const refused = journalRow.getByTestId('rollback-refused');
    await refused.waitFor({ timeout: 10_000 });
    assert.match(
      await text(refused),
      /^Rollback refused: repair run 1 was already rolled back .*a second rollback is refused$/,
    );
  });
});

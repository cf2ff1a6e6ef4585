// The dashboard's streams page in Chromium against a real `serve` running one pipeline over a
// real Redis Streams / NATS JetStream server: the page lists the pipeline as running with nothing
// consumed; once messages are published it shows them consumed (per topic and in total), the
// malformed one dead-lettered, the lag caught up, a throughput, the minute's bar and the batch
// that closed with every expected key — refreshed by polling, without a reload.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { createStreamClient } from '../src/streams/clients/create-stream-client.js';
import { CHROMIUM_MISSING, launchChromium, type RunningServe, startServe } from './helpers/browser-serve.js';
import { NATS_SERVER, REDIS_SERVER, type StreamServer, uniqueTopic } from './helpers/stream-servers.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

const MIN = 60_000;
const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');

/** Waits until `locator` says `text` (exactly, or matching); a timeout shows what it said instead. */
async function says(locator: Locator, text: string | RegExp, timeoutMs = 15_000): Promise<void> {
  const matches = (said: string) => (typeof text === 'string' ? said.trim() === text : text.test(said));
  await waitFor(async () => matches(await locator.innerText()), `"${text}"`, timeoutMs).catch(async (err) => {
    throw new Error(`${err.message}; the page says: ${await locator.innerText()}`);
  });
}

function clientYaml(server: StreamServer): string {
  const s = server.spec;
  if (s.engine === 'nats') return `{ nats: { servers: [${s.servers.join(', ')}] } }`;
  if (s.engine === 'redis') return `{ redis: { url: '${s.url}' } }`;
  throw new Error(`no browser test for ${s.engine}`);
}

for (const server of [REDIS_SERVER, NATS_SERVER]) {
  describe(`dashboard: streams page on ${server.name}`, { skip: CHROMIUM_MISSING ?? server.skip }, () => {
    const tmp = tempDir('gapwarden-streams-browser-');
    const topic = uniqueTopic('gw.meters');
    let serve: RunningServe | undefined;
    let browser: Browser | undefined;
    let page: Page;

    before(async () => {
      const config = join(tmp.dir, 'gapwarden.yaml');
      writeFileSync(
        config,
        `store: { sqlite: store.db }
datasets:
  unused:
    partition: { sequence: { start: 1 } }
streams:
  clients:
    bus: ${clientYaml(server)}
  pipelines:
    meters:
      client: bus
      topics: [${topic}]
      keyBy: meterId
      cadence: 1m
      window: { samples: 1, quietClose: 1s }
      idleExpiry: 3s
      batch: { timeout: 2s, expectedKeys: [M1, M2] }
      commit: { messages: 5, interval: 500ms }
`,
      );
      serve = await startServe(config);
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    });
    after(async () => {
      await browser?.close();
      await serve?.stop();
      tmp.cleanup();
    });

    it('shows the pipeline, then the published messages consumed, dead-lettered and batched', async () => {
      await page.goto(`${serve!.url}/`);
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Streams' }).click();
      const pipeline = page.locator('[data-pipeline="meters"]');
      await pipeline.waitFor({ timeout: 10_000 });
      await says(pipeline.locator('h2 .pill'), 'running');
      assert.match(
        await pipeline.innerText(),
        new RegExp(`${server.name} client bus · group gapwarden-meters`),
      );
      const row = pipeline.locator(`[data-testid="stream-topics"] tr[data-topic="${topic}"]`);
      assert.equal((await row.locator('td[data-label="Consumed"]').innerText()).trim(), '0');
      assert.match(
        await pipeline
          .getByTestId('stream-batches')
          .or(pipeline.getByText('No batch closed yet.'))
          .innerText(),
        /No batch closed yet/,
      );

      // Ten readings of M1 and M2 in one past minute, and one message that is not JSON.
      const publisher = await createStreamClient(server.spec);
      try {
        const time = Math.floor((Date.now() - 10 * MIN) / MIN) * MIN + 1_000;
        const readings = Array.from({ length: 10 }, (_, i) => ({
          body: { meterId: i % 2 === 0 ? 'M1' : 'M2', time: time + i, value: i },
        }));
        await publisher.publish(topic, [
          ...readings.slice(0, 5),
          { body: '{"meterId": ' },
          ...readings.slice(5),
        ]);
      } finally {
        await publisher.close();
      }

      // No reload: the page polls. A key's newest reading stays unacknowledged until the key's state
      // expires (idleExpiry 3 s): only then is everything consumed and the lag back to 0.
      await says(row.locator('td[data-label="Consumed"]'), '11');
      await says(row.locator('td[data-label="Dead letters"]'), '1');
      await says(row.locator('td[data-label="Lag"]'), '0 · caught up');
      assert.match(
        await row.locator('td[data-label="Checkpoint"]').innerText(),
        /^committed \d\d:\d\d:\d\d$/,
      );
      const stats = pipeline.getByTestId('stream-stats');
      assert.equal((await stats.locator('[data-stat="consumed"]').innerText()).trim(), '11');
      assert.equal((await stats.locator('[data-stat="lag"]').innerText()).trim(), '0');
      await says(stats.locator('[data-stat="throughput"]'), /^0\.0[34] msg\/s$/);
      await says(
        pipeline.getByTestId('stream-activity').locator('figcaption'),
        /\b11 messages \(1 dead-lettered\)/,
      );

      // The minute's window closes once the keys go quiet: one batch, both meters reported.
      const batch = pipeline.locator('[data-testid="stream-batches"] tr[data-batch]').first();
      await batch.waitFor({ timeout: 20_000 });
      assert.equal(await batch.getAttribute('data-status'), 'complete');
      // No modules here: both meters' windows arrived, none gave a module result.
      assert.equal(
        (await batch.locator('td[data-label="Keys"]').innerText()).trim(),
        '2 of 2\n0 keys with module results',
      );
      assert.equal((await batch.locator('td[data-label="Missing"]').innerText()).trim(), '–');
      assert.equal((await batch.locator('td[data-label="Availability"]').innerText()).trim(), '100 %');
      await says(stats.locator('[data-stat="availability"]'), /^100 %/);
      await says(stats.locator('[data-stat="batches"]'), '1');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `streams-${server.name}.png`), fullPage: true });
    });
  });
}

// kill -9 of `serve` between the alert change and its delivery: the alert and its notification
// were committed together, so the restarted process delivers what the killed one had in flight
// (at least once: the receiver sees the same idempotency key again and accepts it once).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alertStorePart } from '../src/alerts/store/alert-store-part.js';
import { loadConfig } from '../src/config/load-config.js';
import { createEngine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { type AlertReceiver, startAlertReceiver } from './helpers/alert-receiver.js';
import { exited, spawnCli } from './helpers/cli.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

describe('alert outbox: kill -9 of serve mid-delivery', () => {
  let receiver: AlertReceiver;
  let tmp: ReturnType<typeof tempDir>;
  before(async () => {
    receiver = await startAlertReceiver();
    tmp = tempDir();
  });
  after(async () => {
    await receiver.close();
    tmp.cleanup();
  });

  it('loses no notification: the restarted serve delivers it once its lease ends', async () => {
    const file = join(tmp.dir, 'gapwarden.config.yaml');
    const yaml = `store: { sqlite: alerts.db }
log: { level: warn }
server: { enabled: false }
datasets:
  draws:
    partition: { sequence: { start: 3001 } }
alerts:
  receivers:
    hook: { channel: webhook, url: '${receiver.url}', timeout: 30s }
  rules:
    gap-large: { severity: P0, gap: { minPartitions: 5 } }
  evaluateEvery: 1s
  delivery: { lease: 2s, retryInitial: 100ms }
`;
    writeFileSync(file, yaml);
    // A gap of 8 already stored: the first evaluation of serve opens a P0 and queues its message.
    const engine = createEngine({ config: await loadConfig({ config: file }), logger: silentLogger });
    await engine.open();
    await engine.ingest(
      'draws',
      [3001, 3010].map((n) => ({ key: String(n), partition: n, payload: { n } })),
    );
    await engine.stop();

    receiver.hold = 1;
    const first = spawnCli(['serve', '--config', file]);
    const [held] = await receiver.waitFor(1, 30_000);
    first.kill('SIGKILL');
    assert.equal((await exited(first)).signal, 'SIGKILL');
    assert.equal(held?.status, undefined, 'the first attempt never got its answer');

    const second = spawnCli(['serve', '--config', file]);
    await receiver.waitFor(2, 30_000);
    await waitFor(
      async () => (await outbox(join(tmp.dir, 'alerts.db'))).delivered === 1,
      'the delivery to be recorded',
    );
    second.kill('SIGTERM');
    assert.equal((await exited(second)).code, 0, second.output());

    const [a, b] = receiver.posts;
    assert.equal(a?.key, b?.key, 'the same notification, by its idempotency key');
    assert.deepEqual([...receiver.accepted().values()], [1]);
    assert.equal(b?.body.kind, 'firing');
    const store = createSqliteStore({ path: join(tmp.dir, 'alerts.db') });
    const alerts = store.part(alertStorePart);
    await store.migrate();
    const [n] = await alerts.listNotifications({ limit: 10 });
    const log = await alerts.deliveryAttempts([n!.id]);
    assert.deepEqual([n?.state, log.length, log[0]?.ok], ['delivered', 1, true]);
    assert.equal(
      (await alerts.listAlerts({ limit: 10 })).length,
      1,
      'the restart did not open a second alert',
    );
    await store.close();
  });
});

async function outbox(path: string) {
  const store = createSqliteStore({ path });
  try {
    const part = store.part(alertStorePart);
    await store.migrate();
    return await part.outboxCounts();
  } finally {
    await store.close();
  }
}

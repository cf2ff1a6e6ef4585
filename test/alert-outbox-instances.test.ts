// Several gapwarden processes on one PostgreSQL database: each notification of the outbox is
// claimed with a lease by one of them, so the receiver gets it once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StoredAlert } from '../src/alerts/alert-model.js';
import { alertsModule } from '../src/alerts/alerts-module.js';
import { notificationDraft } from '../src/alerts/notification-payload.js';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { type AlertReceiver, startAlertReceiver } from './helpers/alert-receiver.js';
import { storeAdapter } from './helpers/store-adapters.js';
import { waitFor } from './helpers/temp-dir.js';

const adapter = storeAdapter('postgres');
const COUNT = 300;

describe('alert outbox: two instances on one PostgreSQL', { skip: adapter.skip }, () => {
  let receiver: AlertReceiver;
  let locator: string;
  const engines: Engine[] = [];
  before(async () => {
    receiver = await startAlertReceiver();
    locator = await adapter.createDatabase();
  });
  after(async () => {
    for (const e of engines) await e.stop();
    await receiver.close();
    await adapter.dropDatabase(locator);
  });

  it('delivers each notification once', async () => {
    const config = compileConfig(
      {
        datasets: { draws: { partition: { sequence: { start: 1 } } } },
        server: { enabled: false },
        alerts: {
          receivers: { hook: { channel: 'webhook', url: receiver.url } },
          delivery: { concurrency: 4, lease: '30s' },
        },
      },
      { env: {}, baseDir: '/tmp' },
    );
    for (let i = 0; i < 2; i++) {
      const engine = createEngine({ config, store: await adapter.open(locator), logger: silentLogger });
      await engine.open();
      engines.push(engine);
    }
    const [one, two] = engines.map((e) => e.module(alertsModule));
    const now = Date.now();
    const alert: StoredAlert = {
      id: 1,
      fingerprint: 'f',
      rule: 'gap-large',
      kind: 'gap',
      severity: 'P0',
      baseSeverity: 'P0',
      state: 'firing',
      labels: { dataset: 'draws' },
      summary: 'draws: 12 partitions missing (3021–3032)',
      tried: '',
      value: 12,
      instance: '3021',
      occurrences: 1,
      startsAt: Date.now(),
      firedAt: Date.now(),
      lastSeenAt: Date.now(),
      endsAt: null,
      tier: 0,
      notifyAt: null,
      lastNotifiedAt: null,
      ackedAt: null,
      ackedBy: null,
      ackComment: null,
      version: 1,
      updatedAt: Date.now(),
    };
    const drafts = Array.from({ length: COUNT }, (_, i) =>
      notificationDraft({
        kind: 'firing',
        receiver: 'hook',
        group: { key: String(i), labels: {} },
        alerts: [{ ...alert, id: i + 1 }],
        versions: [1],
        tier: 0,
        language: 'en',
        dashboardUrl: null,
        nowMs: now,
      }),
    ).map((d) => ({ ...d, alertIds: [] }));
    assert.equal(await one!.store.enqueueNotifications(drafts, now), COUNT);
    one!.worker.start();
    two!.worker.start();
    await waitFor(
      async () => (await one!.outboxDepth()).delivered === COUNT,
      'every notification delivered',
      30_000,
    );
    assert.equal(receiver.posts.length, COUNT, 'no notification posted twice');
    assert.equal(receiver.accepted().size, COUNT);
    const holders = new Set(
      (
        await one!.store.deliveryAttempts(
          (await one!.store.listNotifications({ limit: COUNT })).map((n) => n.id),
        )
      ).map((a) => a.holder),
    );
    assert.deepEqual(holders, new Set([one!.worker.holder, two!.worker.holder]), 'both instances delivered');
  });
});

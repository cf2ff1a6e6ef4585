// The alerts module through the engine, on a real SQLite store, with a real webhook receiver over
// HTTP and the injected clock: a gap fires a P0 that reaches the receiver and resolves when filled;
// a receiver down then back gets every notification once per idempotency key; a notification
// that keeps failing is given up, kept and counted.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { alertsModule } from '../src/alerts/alerts-module.js';
import type { Alerts } from '../src/alerts/alerts-runtime.js';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { createManualClock, type ManualClock, systemClock } from '../src/internal/clock.js';
import type { GapwardenEvents } from '../src/internal/events.js';
import { silentLogger } from '../src/internal/logger.js';
import { type AlertReceiver, startAlertReceiver } from './helpers/alert-receiver.js';
import { tempDir } from './helpers/temp-dir.js';

const T0 = Date.UTC(2026, 0, 5, 12);
const seq = { partition: { sequence: { start: 3001 } } };
const rec = (n: number) => ({ key: String(n), partition: n, payload: { issue: n } });

let receiver: AlertReceiver;
let clock: ManualClock;
let tmp: ReturnType<typeof tempDir>;
let engine: Engine;
let alerts: Alerts;
let deliveries: GapwardenEvents['alert:delivery'][];

async function open(
  alertsConfig: Record<string, unknown>,
  datasets: string[] = ['draws'],
  engineClock: typeof clock | typeof systemClock = clock,
) {
  const config = compileConfig(
    {
      store: { sqlite: join(tmp.dir, 'gapwarden.db') },
      server: { enabled: false },
      datasets: Object.fromEntries(datasets.map((d) => [d, seq])),
      alerts: { receivers: { hook: { channel: 'webhook', url: receiver.url } }, ...alertsConfig },
    },
    { env: {}, baseDir: tmp.dir },
  );
  engine = createEngine({ config, clock: engineClock, logger: silentLogger });
  await engine.open();
  alerts = engine.module(alertsModule);
  deliveries = [];
  engine.events.on('alert:delivery', (e) => deliveries.push(e));
}

beforeEach(async () => {
  receiver = await startAlertReceiver();
  clock = createManualClock(T0);
  tmp = tempDir();
});
afterEach(async () => {
  await engine.stop();
  await receiver.close();
  tmp.cleanup();
});

describe('alerts through the engine', () => {
  it('a gap of more than 2 partitions is a P0 at the receiver at once; filling it resolves it', async () => {
    await open({ rules: { 'gap-large': { severity: 'P0', gap: { minPartitions: 3 } } } });
    await engine.ingest('draws', [rec(3001), rec(3005)]);
    const first = await alerts.evaluate();
    assert.deepEqual([first.opened, first.notifications], [1, 1]);
    assert.equal(await alerts.worker.drainOnce(), 1);
    const [fired] = receiver.posts;
    assert.equal(fired?.body.kind, 'firing');
    const [alert] = (fired?.body.alerts ?? []) as {
      id: number;
      rule: string;
      summary: string;
      severity: string;
    }[];
    assert.deepEqual(
      [alert?.rule, alert?.severity, alert?.summary],
      ['gap-large', 'P0', 'draws: 3 partitions missing (3002–3004)'],
    );
    assert.equal(fired?.key, fired?.body.idempotencyKey);

    clock.advance(60_000);
    assert.equal((await alerts.evaluate()).notifications, 0, 'seen again: no second message');
    await engine.ingest('draws', [rec(3002), rec(3003), rec(3004)]);
    clock.advance(1000);
    assert.equal((await alerts.evaluate()).notifications, 1);
    await alerts.worker.drainOnce();
    assert.deepEqual(
      receiver.posts.map((p) => p.body.kind),
      ['firing', 'resolved'],
    );
    const detail = await alerts.get(alert!.id);
    assert.equal(detail.alert.state, 'resolved');
    assert.equal(detail.alert.endsAt, new Date(T0 + 61_000).toISOString());
    assert.deepEqual(detail.history.map((h) => h.change).reverse(), ['fired', 'notified', 'resolved']);
    assert.deepEqual(
      detail.deliveries.map((d) => [d.kind, d.state, d.log.length, d.log[0]?.status]),
      [
        ['resolved', 'delivered', 1, 200],
        ['firing', 'delivered', 1, 200],
      ],
    );
    assert.deepEqual((await alerts.list()).length, 0, 'nothing open');
    assert.equal((await alerts.list({ state: 'resolved' }))[0]?.id, alert!.id);
  });

  it('a receiver down for a while, then back, gets every notification once per idempotency key', async () => {
    await open(
      {
        rules: { 'gap-large': { severity: 'P0', gap: { minPartitions: 2 } } },
        delivery: { retryInitial: '1s', retryMax: '4s', maxAttempts: 50 },
      },
      ['a', 'b', 'c'],
    );
    receiver.status = 503;
    for (const ds of ['a', 'b', 'c']) await engine.ingest(ds, [rec(3001), rec(3004)]);
    assert.equal((await alerts.evaluate()).notifications, 3);
    // Down for a minute of the clock: every attempt answered 503, each retried after its backoff.
    for (let t = 0; t < 60; t++) {
      await alerts.worker.drainOnce();
      clock.advance(1000);
    }
    // Meanwhile two gaps were filled: their resolutions queue behind the firing notices still owed.
    await engine.ingest('a', [rec(3002), rec(3003)]);
    await engine.ingest('b', [rec(3002), rec(3003)]);
    assert.equal((await alerts.evaluate()).notifications, 2);
    receiver.status = 200;
    for (let t = 0; t < 10; t++) {
      await alerts.worker.drainOnce();
      clock.advance(1000);
    }
    const failedAttempts = receiver.posts.filter((p) => p.status === 503).length;
    assert.ok(failedAttempts >= 3 * 10, `retried while down (${failedAttempts} refused attempts)`);
    const accepted = receiver.accepted();
    const outbox = await alerts.deliveries({ limit: 100 });
    assert.deepEqual(
      [...accepted.keys()].sort(),
      outbox.map((n) => n.idempotencyKey).sort(),
      'every notification reached it',
    );
    assert.ok(
      [...accepted.values()].every((n) => n === 1),
      'each once',
    );
    assert.deepEqual(await alerts.outboxDepth(), {
      pending: 0,
      sending: 0,
      delivered: outbox.length,
      failed: 0,
    });
  });

  it("honours the receiver's Retry-After", async () => {
    await open({
      rules: { g: { severity: 'P0', gap: { minPartitions: 2 } } },
      delivery: { retryInitial: '1s' },
    });
    receiver.status = 429;
    receiver.retryAfter = '30';
    await engine.ingest('draws', [rec(3001), rec(3004)]);
    await alerts.evaluate();
    await alerts.worker.drainOnce();
    receiver.status = 200;
    clock.advance(29_000);
    assert.equal(await alerts.worker.drainOnce(), 0, 'not before the 30 s it asked for');
    clock.advance(1000);
    assert.equal(await alerts.worker.drainOnce(), 1);
    assert.deepEqual(
      receiver.posts.map((p) => p.status),
      [429, 200],
    );
  });

  it('a notification that keeps failing is given up after maxAttempts: kept, visible, counted', async () => {
    await open({
      rules: { g: { severity: 'P0', gap: { minPartitions: 2 } } },
      delivery: { maxAttempts: 3, retryInitial: '1s' },
    });
    receiver.status = 500;
    await engine.ingest('draws', [rec(3001), rec(3004)]);
    await alerts.evaluate();
    for (let i = 0; i < 5; i++) {
      await alerts.worker.drainOnce();
      clock.advance(10_000);
    }
    assert.equal(receiver.posts.length, 3);
    const [failed] = await alerts.deliveries({ state: 'failed' });
    assert.deepEqual([failed?.attempts, failed?.lastStatus, failed?.log.length], [3, 500, 3]);
    assert.deepEqual(
      deliveries.map((d) => d.outcome),
      ['retry', 'retry', 'failed'],
    );
    assert.equal((await alerts.outboxDepth()).failed, 1);
  });

  it('acknowledge, silence and test through the operations', async () => {
    await open({ rules: { g: { severity: 'P0', gap: { minPartitions: 2 } } } });
    await engine.ingest('draws', [rec(3001), rec(3004)]);
    await alerts.evaluate();
    const [a] = await alerts.list();
    const acked = await alerts.acknowledge(a!.id, { actor: 'ana', comment: 'looking' });
    assert.deepEqual(
      [acked.state, acked.acknowledged?.by, acked.acknowledged?.comment],
      ['acknowledged', 'ana', 'looking'],
    );
    await assert.rejects(alerts.acknowledge(a!.id, { actor: 'bo' }), /only a firing alert/);
    await assert.rejects(alerts.acknowledge(999, { actor: 'bo' }), /no alert 999/);
    await assert.rejects(
      alerts.createSilence({ matchers: ['dataset'], endsAt: T0 + 1000, author: 'ana', comment: '' }),
      /not a matcher such as dataset=draws/,
    );
    await assert.rejects(
      alerts.createSilence({ matchers: ['dataset=draws'], endsAt: T0 - 1, author: 'ana', comment: '' }),
      /must end after it starts/,
    );
    const s = await alerts.createSilence({
      matchers: ['dataset=draws'],
      endsAt: T0 + 3_600_000,
      author: 'ana',
      comment: 'deploy',
    });
    assert.deepEqual([s.status, s.matchers], ['active', ['dataset=draws']]);
    assert.equal((await alerts.list())[0]?.suppressed?.silenceId, s.id);
    assert.equal((await alerts.expireSilence(s.id)).status, 'ended');
    const test = await alerts.test('hook');
    assert.deepEqual([test.kind, test.state, test.log[0]?.ok], ['test', 'delivered', true]);
    assert.equal(receiver.posts.at(-1)?.body.kind, 'test');
    await assert.rejects(alerts.test('nope'), /no receiver "nope" \(alerts.receivers: hook\)/);
  });

  it('running (serve): the event of an opened gap is evaluated at once, without waiting for the next tick', async () => {
    await open(
      { rules: { 'gap-large': { severity: 'P0', gap: { minPartitions: 2 } } }, evaluateEvery: '1h' },
      ['draws'],
      systemClock,
    );
    await engine.start({ collect: true, backfill: false });
    await engine.ingest('draws', [rec(3001)]);
    await engine.ingest('draws', [rec(3004)]);
    const [post] = await receiver.waitFor(1);
    assert.equal(post?.body.kind, 'firing');
    await engine.ingest('draws', [rec(3002), rec(3003)]);
    const posts = await receiver.waitFor(2);
    assert.equal(posts[1]?.body.kind, 'resolved');
  });

  it('the alerts-evaluate job kind evaluates and delivers, like the loop of serve', async () => {
    await open({ rules: { g: { severity: 'P0', gap: { minPartitions: 2 } } } });
    await engine.ingest('draws', [rec(3001), rec(3004)]);
    const kind = engine.moduleContext.jobKinds.get('alerts-evaluate');
    assert.ok(kind, 'the alerts module defines the kind');
    const out = await kind.run(engine.config.jobs[0] ?? ({} as never), {
      signal: new AbortController().signal,
      dueAt: clock.now(),
      trigger: 'manual',
      params: {},
    } as never);
    assert.deepEqual(out, { records: 2 });
    assert.deepEqual(
      receiver.posts.map((p) => p.body.kind),
      ['firing'],
    );
  });
});

// The alerts module's part of the store (alerts, history, silences, outbox, delivery attempts): on
// every adapter in STORE_ADAPTERS, the part passes these same tests on a fresh database each.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { NewAlert, NotificationDraft, StoredAlert } from '../src/alerts/alert-model.js';
import { notificationDraft } from '../src/alerts/notification-payload.js';
import type { AlertStore, DeliveryRecord } from '../src/alerts/store/alert-store.js';
import { alertStorePart } from '../src/alerts/store/alert-store-part.js';
import { type LabelMatcher, parseLabelMatcher } from '../src/domain/label-matchers.js';
import type { Store } from '../src/store/store.js';
import { STORE_ADAPTERS, type StoreAdapter } from './helpers/store-adapters.js';

const T0 = 1_700_000_000_000;

const newAlert = (over: Partial<NewAlert> = {}): NewAlert => ({
  fingerprint: 'fp-gap',
  rule: 'gap-large',
  kind: 'gap',
  severity: 'P0',
  baseSeverity: 'P0',
  state: 'firing',
  labels: { dataset: 'draws', rule: 'gap-large', kind: 'gap' },
  summary: 'draws: 14 partitions missing (3021–3034)',
  tried: 'backfill: 14 queued',
  value: 14,
  instance: '3021',
  occurrences: 1,
  startsAt: T0,
  firedAt: T0,
  lastSeenAt: T0,
  endsAt: null,
  tier: 0,
  notifyAt: T0,
  lastNotifiedAt: null,
  ackedAt: null,
  ackedBy: null,
  ackComment: null,
  updatedAt: T0,
  ...over,
});
const fired = {
  at: T0,
  change: 'fired' as const,
  state: 'firing' as const,
  severity: 'P0' as const,
  tier: 0,
  detail: null,
  actor: null,
};

const draft = (alerts: StoredAlert[], receiver = 'oncall', nowMs = T0): NotificationDraft =>
  notificationDraft({
    kind: 'firing',
    receiver,
    group: { key: '0:{}', labels: {} },
    alerts,
    versions: alerts.map((a) => a.version),
    tier: 0,
    language: 'en',
    dashboardUrl: null,
    nowMs,
  });

const ok = (id: number, holder: string, at: number): DeliveryRecord => ({
  notificationId: id,
  holder,
  at,
  ms: 12,
  outcome: { ok: true, status: 200 },
  next: { state: 'delivered' },
});

function alertStoreContract(adapter: StoreAdapter) {
  let locator: string;
  let opened: Store[];
  let store: AlertStore;
  const connect = async () => {
    const s = await adapter.open(locator);
    opened.push(s);
    const part = s.part(alertStorePart);
    await s.migrate();
    return part;
  };
  beforeEach(async () => {
    opened = [];
    locator = await adapter.createDatabase();
    store = await connect();
  });
  afterEach(async () => {
    for (const s of opened) await s.close();
    await adapter.dropDatabase(locator);
  });

  it('opens one alert per fingerprint, with its history; after it resolves the next one is new', async () => {
    const a = await store.createAlert(newAlert(), [fired]);
    assert.ok(a);
    assert.deepEqual([a.state, a.version, a.labels.dataset, a.value], ['firing', 1, 'draws', 14]);
    const other = await connect();
    assert.equal(await other.createAlert(newAlert({ summary: 'again' }), [fired]), undefined);
    assert.deepEqual(
      (await store.openAlerts()).map((x) => x.id),
      [a.id],
    );
    assert.equal(
      await store.applyAlertWrite(
        {
          updates: [{ id: a.id, version: 1, set: { state: 'resolved', endsAt: T0 + 10 } }],
          history: [{ ...fired, alertId: a.id, change: 'resolved', state: 'resolved', at: T0 + 10 }],
          notifications: [],
        },
        T0 + 10,
      ),
      true,
    );
    const b = await other.createAlert(newAlert({ startsAt: T0 + 20 }), [fired]);
    assert.ok(b && b.id !== a.id);
    const history = await store.alertHistory({ alertId: a.id, limit: 10 });
    assert.deepEqual(
      history.map((h) => [h.change, h.rule, h.labels.dataset]),
      [
        ['resolved', 'gap-large', 'draws'],
        ['fired', 'gap-large', 'draws'],
      ],
    );
    assert.equal((await store.getAlert(a.id))?.endsAt, T0 + 10);
  });

  it('an alert change and its notifications commit together; a change planned on an older version writes nothing', async () => {
    const a = (await store.createAlert(newAlert(), [fired]))!;
    const n = draft([a]);
    const change = {
      updates: [{ id: a.id, version: a.version, set: { notifyAt: null, lastNotifiedAt: T0 + 1 } }],
      history: [{ ...fired, alertId: a.id, change: 'notified' as const, detail: 'sent to oncall' }],
      notifications: [n],
    };
    const other = await connect();
    assert.equal(await store.applyAlertWrite(change, T0 + 1), true);
    assert.equal(await other.applyAlertWrite(change, T0 + 2), false, 'planned on version 1, now 2');
    const now = (await store.getAlert(a.id))!;
    assert.deepEqual([now.version, now.notifyAt, now.lastNotifiedAt], [2, null, T0 + 1]);
    assert.equal(
      (await store.alertHistory({ alertId: a.id, limit: 10 })).length,
      2,
      'nothing of the refused change',
    );
    const sent = await store.listNotifications({ alertId: a.id, limit: 10 });
    assert.equal(sent.length, 1);
    assert.deepEqual(
      [sent[0]?.idempotencyKey, sent[0]?.state, sent[0]?.payload.alerts[0]?.id],
      [n.idempotencyKey, 'pending', a.id],
    );
    // The same idempotency key again (a retried plan) adds nothing.
    assert.equal(await store.enqueueNotifications([n], T0 + 3), 0);
    assert.equal((await store.outboxCounts()).pending, 1);
  });

  it('lists alerts newest first by state and severity; never-fired ones only when asked', async () => {
    const a = (await store.createAlert(newAlert(), [fired]))!;
    const b = (await store.createAlert(
      newAlert({ fingerprint: 'fp-2', severity: 'P1', baseSeverity: 'P1' }),
      [fired],
    ))!;
    await store.createAlert(
      newAlert({ fingerprint: 'fp-3', state: 'pending', firedAt: null, notifyAt: null }),
      [],
    );
    assert.deepEqual(
      (await store.listAlerts({ limit: 10 })).map((x) => x.id),
      [b.id, a.id],
    );
    assert.deepEqual(
      (await store.listAlerts({ limit: 10, severities: ['P1'] })).map((x) => x.id),
      [b.id],
    );
    assert.equal((await store.listAlerts({ limit: 10, includeNeverFired: true })).length, 3);
    assert.deepEqual(
      (await store.listAlerts({ limit: 10, beforeId: b.id })).map((x) => x.id),
      [a.id],
    );
    assert.deepEqual(
      (await store.listAlerts({ limit: 10, states: ['resolved'] })).map((x) => x.id),
      [],
    );
    assert.deepEqual(await store.countOpenAlerts(), [
      { state: 'firing', severity: 'P0', count: 1 },
      { state: 'firing', severity: 'P1', count: 1 },
    ]);
  });

  it('silences: active between start and end, listed until they end, expired early by a person', async () => {
    const matchers = ['dataset=draws', 'rule=~gap.*'].map((t) => parseLabelMatcher(t) as LabelMatcher);
    const s = await store.createSilence({
      matchers,
      startsAt: T0 + 100,
      endsAt: T0 + 1000,
      author: 'ana',
      comment: 'maintenance',
      createdAt: T0,
    });
    assert.deepEqual(s.matchers, matchers);
    assert.deepEqual(
      (await store.listSilences({ activeAt: T0, nowMs: T0, limit: 10 })).length,
      0,
      'not started',
    );
    assert.deepEqual(
      (await store.listSilences({ nowMs: T0, limit: 10 })).map((x) => x.id),
      [s.id],
      'upcoming is listed',
    );
    assert.deepEqual(
      (await store.listSilences({ activeAt: T0 + 100, nowMs: T0, limit: 10 })).map((x) => x.id),
      [s.id],
    );
    const expired = await store.expireSilence(s.id, T0 + 200);
    assert.equal(expired?.expiredAt, T0 + 200);
    assert.equal(
      (await store.expireSilence(s.id, T0 + 300))?.expiredAt,
      T0 + 200,
      'expiring twice changes nothing',
    );
    assert.deepEqual(await store.listSilences({ activeAt: T0 + 201, nowMs: T0 + 201, limit: 10 }), []);
    assert.deepEqual(await store.listSilences({ nowMs: T0 + 201, limit: 10 }), []);
    assert.equal((await store.listSilences({ nowMs: T0 + 201, includeEnded: true, limit: 10 })).length, 1);
    assert.equal(await store.expireSilence(9999, T0), undefined);
  });

  it('claims: two holders never get the same notification; a lease that ended is claimed again', async () => {
    const a = (await store.createAlert(newAlert(), [fired]))!;
    await store.enqueueNotifications(
      ['a', 'b', 'c', 'd', 'e'].map((r) => draft([a], r)),
      T0,
    );
    const other = await connect();
    const [x, y] = await Promise.all([
      store.claimNotifications('one', T0, 1000, 3),
      other.claimNotifications('two', T0, 1000, 3),
    ]);
    const ids = [...x, ...y].map((n) => n.id);
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5, 'each claimed once');
    assert.deepEqual(await store.claimNotifications('three', T0 + 999, 1000, 10), []);
    assert.equal(await store.nextNotificationDue(), T0 + 1000);
    const again = await store.claimNotifications('three', T0 + 1000, 1000, 10);
    assert.equal(again.length, 5, 'their holders died: claimed again');
    assert.ok(again.every((n) => n.leaseHolder === 'three' && n.state === 'sending'));
    // The first holder finishing late: its attempt is logged, the notification stays with its new holder.
    assert.deepEqual(await store.recordDeliveries([ok(x[0]!.id, 'one', T0 + 1001)]), [false]);
    assert.deepEqual(await store.recordDeliveries([ok(x[0]!.id, 'three', T0 + 1002)]), [true]);
    const attempts = await store.deliveryAttempts([x[0]!.id]);
    assert.deepEqual(
      attempts.map((d) => [d.holder, d.ok, d.attempt]),
      [
        ['one', true, 1],
        ['three', true, 1],
      ],
    );
  });

  it('delivery: retry later, give up (kept and counted), delivered; released claims are due at once', async () => {
    const a = (await store.createAlert(newAlert(), [fired]))!;
    await store.enqueueNotifications([draft([a], 'hook'), draft([a], 'mail'), draft([a], 'chat')], T0);
    const [hook, mail, chat] = await store.claimNotifications('w', T0, 60_000, 10);
    assert.ok(hook && mail && chat);
    assert.deepEqual(
      await store.recordDeliveries([
        {
          notificationId: hook.id,
          holder: 'w',
          at: T0 + 5,
          ms: 5,
          outcome: { ok: false, retryable: true, error: 'HTTP 503', status: 503 },
          next: { state: 'pending', nextAttemptAt: T0 + 2000 },
        },
        {
          notificationId: mail.id,
          holder: 'w',
          at: T0 + 5,
          ms: 3,
          outcome: { ok: false, retryable: false, error: 'HTTP 400', status: 400 },
          next: { state: 'failed' },
        },
        ok(chat.id, 'w', T0 + 6),
      ]),
      [true, true, true],
    );
    assert.deepEqual(await store.outboxCounts(), { pending: 1, sending: 0, delivered: 1, failed: 1 });
    assert.equal(await store.nextNotificationDue(), T0 + 2000);
    assert.deepEqual(await store.claimNotifications('w', T0 + 1999, 60_000, 10), []);
    const [retry] = await store.claimNotifications('w', T0 + 2000, 60_000, 10);
    assert.deepEqual(
      [retry?.id, retry?.attempts, retry?.lastError, retry?.lastStatus],
      [hook.id, 1, 'HTTP 503', 503],
    );
    await store.releaseNotifications([hook.id], 'w', T0 + 2001);
    const [back] = await store.claimNotifications('v', T0 + 2001, 60_000, 10);
    assert.equal(back?.id, hook.id);
    const log = await store.listNotifications({ alertId: a.id, limit: 10 });
    assert.deepEqual(
      log.map((n) => [n.receiver, n.state]),
      [
        ['chat', 'delivered'],
        ['mail', 'failed'],
        ['hook', 'sending'],
      ],
    );
    assert.deepEqual(
      (await store.listNotifications({ states: ['failed'], limit: 10 })).map((n) => n.receiver),
      ['mail'],
    );
    const delivered = log[0]!;
    assert.equal(delivered.deliveredAt, T0 + 6);
  });
}

for (const adapter of STORE_ADAPTERS)
  describe(`alert store contract: ${adapter.name}`, { skip: adapter.skip }, () =>
    alertStoreContract(adapter),
  );

import type { Severity } from '../config/alerts-schema.js';
import type { CompiledAlerts } from '../config/compiled-alerts.js';
import { type LabelMatcher, matchesAll, parseLabelMatcher } from '../domain/label-matchers.js';
import type { Clock } from '../internal/clock.js';
import { GapwardenError } from '../internal/errors.js';
import { acknowledgeAlert } from './acknowledge-alert.js';
import type { StoredAlertState } from './alert-model.js';
import { matchLabels } from './alert-routing.js';
import {
  type AlertSummary,
  type DeliverySummary,
  type HistorySummary,
  type SilenceSummary,
  summarizeAlert,
  summarizeDelivery,
  summarizeHistory,
  summarizeSilence,
} from './alert-summary.js';
import { suppressionOf } from './alert-suppression.js';
import type { OutboxWorker } from './outbox-worker.js';
import type { AlertStore, NotificationState } from './store/alert-store.js';
import { testNotification } from './templates/test-notification.js';

/** Which alerts a list shows: `open` = firing and acknowledged. */
export type AlertStateFilter = 'open' | 'all' | StoredAlertState;

export interface AlertListQuery {
  state?: AlertStateFilter;
  severity?: readonly Severity[];
  /** Label matchers (`dataset=draws`); every one must hold. */
  match?: readonly string[];
  limit?: number;
  before?: number;
}

export interface SilenceInput {
  /** `name=value`, `name!=value`, `name=~regex`, `name!~regex`: at least one. */
  matchers: readonly string[];
  /** @default now */
  startsAt?: number;
  endsAt: number;
  author: string;
  comment: string;
}

/** What people do with alerts (the API, the CLI and the dashboard call these). */
export interface AlertOperations {
  list(query?: AlertListQuery): Promise<AlertSummary[]>;
  /** One alert with its history and its delivery log; NOT_FOUND when there is none. */
  get(id: number): Promise<{ alert: AlertSummary; history: HistorySummary[]; deliveries: DeliverySummary[] }>;
  history(query?: {
    alertId?: number;
    since?: number;
    limit?: number;
    before?: number;
  }): Promise<HistorySummary[]>;
  acknowledge(id: number, by: { actor: string; comment?: string | null }): Promise<AlertSummary>;
  silences(query?: { includeEnded?: boolean }): Promise<SilenceSummary[]>;
  createSilence(input: SilenceInput): Promise<SilenceSummary>;
  expireSilence(id: number): Promise<SilenceSummary>;
  /** Notifications of the outbox, newest first (`state` to see those waiting or given up). */
  deliveries(query?: { state?: NotificationState; limit?: number }): Promise<DeliverySummary[]>;
  /** Sends a test message to a receiver through the outbox and waits for its first attempt. */
  test(receiver: string): Promise<DeliverySummary>;
  outboxDepth(): Promise<Record<NotificationState, number>>;
}

const OPEN: StoredAlertState[] = ['firing', 'acknowledged'];
const ACK_TRIES = 5;

function parseMatchers(texts: readonly string[], what: string): LabelMatcher[] {
  return texts.map((t) => {
    const m = parseLabelMatcher(t);
    if (typeof m === 'string') throw new GapwardenError('REQUEST_INVALID', `${what}: ${m}`);
    return m;
  });
}

export function createAlertOperations(deps: {
  config: CompiledAlerts;
  store: AlertStore;
  clock: Clock;
  worker: OutboxWorker;
  /** Something people did may change what is due (an ack, a silence): evaluate soon. */
  afterChange: () => void;
}): AlertOperations {
  const { config, store, clock, worker } = deps;
  const suppressionContext = async () => ({
    silences: await store.listSilences({ nowMs: clock.now(), limit: 1000 }),
    open: await store.openAlerts(),
    inhibit: config.inhibit,
    nowMs: clock.now(),
  });
  const found = async (id: number) => {
    const a = await store.getAlert(id);
    if (!a) throw new GapwardenError('NOT_FOUND', `no alert ${id}`);
    return a;
  };
  const summary = async (a: Awaited<ReturnType<typeof found>>) =>
    summarizeAlert(
      a,
      a.state === 'resolved' ? undefined : suppressionOf(a, await suppressionContext()),
      config.dashboardUrl,
    );
  const deliveriesOf = async (list: Awaited<ReturnType<AlertStore['listNotifications']>>) => {
    const attempts = list.length > 0 ? await store.deliveryAttempts(list.map((n) => n.id)) : [];
    return list.map((n) => summarizeDelivery(n, attempts));
  };

  return {
    async list(q = {}) {
      const state = q.state ?? 'open';
      const matchers = parseMatchers(q.match ?? [], 'match');
      const limit = q.limit ?? 100;
      const rows = await store.listAlerts({
        ...(state === 'all' ? {} : { states: state === 'open' ? OPEN : [state] }),
        ...(q.severity?.length ? { severities: q.severity } : {}),
        includeNeverFired: state === 'pending' || state === 'all',
        // Matchers are applied here: read enough to fill the page.
        limit: matchers.length > 0 ? limit * 20 : limit,
        ...(q.before === undefined ? {} : { beforeId: q.before }),
      });
      const ctx = await suppressionContext();
      return rows
        .filter((a) => matchesAll(matchers, matchLabels(a)))
        .slice(0, limit)
        .map((a) =>
          summarizeAlert(a, a.state === 'resolved' ? undefined : suppressionOf(a, ctx), config.dashboardUrl),
        );
    },
    async get(id) {
      const a = await found(id);
      const [history, notifications] = await Promise.all([
        store.alertHistory({ alertId: id, limit: 500 }),
        store.listNotifications({ alertId: id, limit: 200 }),
      ]);
      return {
        alert: await summary(a),
        history: history.map(summarizeHistory),
        deliveries: await deliveriesOf(notifications),
      };
    },
    async history(q = {}) {
      const rows = await store.alertHistory({
        limit: q.limit ?? 100,
        ...(q.alertId === undefined ? {} : { alertId: q.alertId }),
        ...(q.since === undefined ? {} : { since: q.since }),
        ...(q.before === undefined ? {} : { beforeId: q.before }),
      });
      return rows.map(summarizeHistory);
    },
    async acknowledge(id, by) {
      // Another process may change the alert meanwhile (an evaluation): read it again and retry.
      for (let i = 0; i < ACK_TRIES; i++) {
        const a = await found(id);
        const write = acknowledgeAlert(a, { actor: by.actor, comment: by.comment ?? null }, clock.now());
        if (await store.applyAlertWrite(write, clock.now())) {
          deps.afterChange();
          return summary(await found(id));
        }
      }
      throw new GapwardenError(
        'STORE_FAILED',
        `alert ${id} kept changing while it was acknowledged: try again`,
        {
          retryable: true,
        },
      );
    },
    async silences(q = {}) {
      const now = clock.now();
      const rows = await store.listSilences({
        nowMs: now,
        includeEnded: q.includeEnded === true,
        limit: 500,
      });
      return rows.map((s) => summarizeSilence(s, now));
    },
    async createSilence(input) {
      const now = clock.now();
      if (input.matchers.length === 0)
        throw new GapwardenError(
          'REQUEST_INVALID',
          'a silence needs at least one matcher, e.g. dataset=draws',
        );
      const matchers = parseMatchers(input.matchers, 'matcher');
      const startsAt = input.startsAt ?? now;
      if (!(input.endsAt > startsAt) || !(input.endsAt > now))
        throw new GapwardenError(
          'REQUEST_INVALID',
          `a silence must end after it starts and in the future (starts ${new Date(startsAt).toISOString()}, ends ${new Date(input.endsAt).toISOString()})`,
        );
      if (!input.author.trim())
        throw new GapwardenError('REQUEST_INVALID', 'a silence needs an author (who set it)');
      const s = await store.createSilence({
        matchers,
        startsAt,
        endsAt: input.endsAt,
        author: input.author,
        comment: input.comment,
        createdAt: now,
      });
      deps.afterChange();
      return summarizeSilence(s, now);
    },
    async expireSilence(id) {
      const s = await store.expireSilence(id, clock.now());
      if (!s) throw new GapwardenError('NOT_FOUND', `no silence ${id}`);
      deps.afterChange();
      return summarizeSilence(s, clock.now());
    },
    async deliveries(q = {}) {
      const rows = await store.listNotifications({
        limit: q.limit ?? 100,
        ...(q.state ? { states: [q.state] } : {}),
      });
      return deliveriesOf(rows);
    },
    async test(receiver) {
      const r = config.receivers.find((x) => x.name === receiver);
      if (!r) {
        const known = config.receivers.map((x) => x.name).join(', ') || 'none configured';
        throw new GapwardenError('NOT_FOUND', `no receiver "${receiver}" (alerts.receivers: ${known})`);
      }
      const now = clock.now();
      const payload = testNotification({
        receiver,
        now,
        language: config.language,
        dashboardUrl: config.dashboardUrl,
      });
      await store.enqueueNotifications(
        [
          {
            idempotencyKey: payload.idempotencyKey,
            receiver,
            kind: 'test',
            groupKey: 'test',
            alertIds: [],
            payload,
            dueAt: now,
          },
        ],
        now,
      );
      // Delivered here, or by a running worker that claimed it first: wait for its first attempt either way.
      await worker.drainOnce();
      const deadline = Date.now() + r.timeoutMs + 5000;
      for (;;) {
        const mine = (await store.listNotifications({ limit: 50 })).find(
          (n) => n.idempotencyKey === payload.idempotencyKey,
        );
        if (mine && (mine.attempts > 0 || Date.now() > deadline)) return (await deliveriesOf([mine]))[0]!;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    outboxDepth: () => store.outboxCounts(),
  };
}

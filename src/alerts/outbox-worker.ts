import { hostname } from 'node:os';
import type { CompiledAlertDelivery } from '../config/compiled-alerts.js';
import type { Clock } from '../internal/clock.js';
import { describeError } from '../internal/errors.js';
import type { EventBus } from '../internal/events.js';
import type { Logger } from '../internal/logger.js';
import type { Redact } from '../internal/redactor.js';
import { nextDelivery } from './delivery-policy.js';
import type { DeliveryOutcome, Notifier } from './notifier.js';
import type { AlertStore, DeliveryRecord, OutboxNotification } from './store/alert-store.js';

/** The shortest wait between two looks at an empty outbox, so a clock skew never spins the loop. */
const MIN_WAIT_MS = 10;
/** The longest a finished attempt waits to be recorded with others. */
const FLUSH_WAIT_MS = 5;

export interface OutboxWorkerOptions {
  store: AlertStore;
  /** The notifier of each receiver, by name. */
  notifiers: ReadonlyMap<string, Notifier>;
  /** The longest one attempt to a receiver may take. */
  timeoutMs: (receiver: string) => number;
  settings: CompiledAlertDelivery;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  redact: Redact;
  /** How often the outbox is looked at when nothing wakes the worker (another process may have written to it). @default 1000 */
  pollMs?: number;
}

export interface OutboxWorker {
  /** Names this process in leases, e.g. `host:pid:random`. */
  readonly holder: string;
  start(): void;
  /** Lets attempts in flight finish and records them; claims not started are given back. */
  stop(): Promise<void>;
  /** Something was written to the outbox: look now. */
  wake(): void;
  /** Delivers what is due now (one pass: claimed, sent, recorded), without the loop; returns how many were attempted. */
  drainOnce(): Promise<number>;
}

/**
 * Delivers the outbox: claims due notifications with a lease (several
 * processes on one database each deliver a notification once per lease),
 * calls the receiver's notifier with a timeout, logs the attempt and moves
 * the notification on (delivered, due again after a backoff, or given up).
 * Attempts finished together are recorded in one transaction. A process
 * killed mid-attempt leaves its claims to others once their lease ends: at
 * least once, with the idempotency key for receivers to drop duplicates.
 */
export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, notifiers, settings, clock, logger, events, redact } = options;
  const holder = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const pollMs = options.pollMs ?? 1000;
  let running = false;
  let loop: Promise<void> | undefined;
  let stopper = new AbortController();
  /** The attempts in flight, aborted when the worker stops. */
  const attempts = new Set<AbortController>();
  let waker = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const results: { record: DeliveryRecord; n: OutboxNotification }[] = [];
  let flushing: Promise<void> | undefined;

  const flush = (): Promise<void> => {
    flushing ??= (async () => {
      while (results.length > 0) {
        const batch = results.splice(0, results.length);
        try {
          const held = await store.recordDeliveries(batch.map((b) => b.record));
          batch.forEach((b, i) => {
            if (!held[i])
              logger.warn({
                msg: 'alert notification lease lost before its attempt was recorded',
                notification: b.n.id,
                receiver: b.n.receiver,
              });
            const { record, n } = b;
            events.emit('alert:delivery', {
              receiver: n.receiver,
              kind: n.kind,
              outcome:
                record.next.state === 'delivered'
                  ? 'delivered'
                  : record.next.state === 'failed'
                    ? 'failed'
                    : 'retry',
              attempt: n.attempts + 1,
              ms: record.ms,
              latencyMs: Math.max(0, record.at - n.payload.createdAt),
              ...(record.outcome.ok ? {} : { error: record.outcome.error }),
            });
            if (record.next.state === 'failed')
              logger.error({
                msg: 'alert notification given up',
                notification: n.id,
                receiver: n.receiver,
                attempts: n.attempts + 1,
                error: record.outcome.ok ? undefined : record.outcome.error,
              });
          });
        } catch (err) {
          // Not recorded: the leases end and the notifications are delivered again (at least once).
          logger.error({
            msg: 'could not record alert deliveries',
            count: batch.length,
            error: describeError(err),
          });
        }
      }
    })().finally(() => {
      flushing = undefined;
      // Results that arrived as the loop ended: not left waiting for the next attempt to flush them.
      if (results.length > 0) scheduleFlush();
    });
    return flushing;
  };

  // Group commit: a batch is recorded once it is as large as the slots, or a few ms after its first
  // attempt finished, so a busy outbox pays one transaction (one fsync on SQLite) per batch.
  let flushTimer: NodeJS.Timeout | undefined;
  const scheduleFlush = () => {
    if (results.length < settings.concurrency) {
      flushTimer ??= setTimeout(() => {
        flushTimer = undefined;
        void flush();
      }, FLUSH_WAIT_MS);
      return;
    }
    clearTimeout(flushTimer);
    flushTimer = undefined;
    void flush();
  };

  /** Until every finished attempt is recorded (or its recording failed). */
  const settle = async () => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    while (flushing || results.length > 0) await (flushing ?? flush());
  };

  const attempt = async (n: OutboxNotification): Promise<DeliveryOutcome> => {
    const notifier = notifiers.get(n.receiver);
    if (!notifier)
      return {
        ok: false,
        retryable: false,
        error: `no receiver "${n.receiver}" is configured (alerts.receivers)`,
      };
    // One controller per attempt, aborted by its timeout or by stop (AbortSignal.any would keep every
    // attempt's signal alive on the stop signal until the worker stops).
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`timed out after ${options.timeoutMs(n.receiver)} ms`)),
      options.timeoutMs(n.receiver),
    );
    attempts.add(controller);
    try {
      return await notifier.send(n.payload, controller.signal);
    } catch (err) {
      return { ok: false, retryable: true, error: redact(describeError(err)) };
    } finally {
      clearTimeout(timer);
      attempts.delete(controller);
    }
  };

  const deliver = (n: OutboxNotification) => {
    const task = (async () => {
      const started = performance.now();
      const outcome = await attempt(n);
      const at = clock.now();
      // Stopping cut it short: the attempt does not count, the notification goes back.
      if (stopper.signal.aborted && !outcome.ok) {
        await store.releaseNotifications([n.id], holder, at).catch(() => {});
        return;
      }
      const record: DeliveryRecord = {
        notificationId: n.id,
        holder,
        at,
        ms: performance.now() - started,
        outcome,
        next: nextDelivery(outcome, n.attempts, settings, at),
      };
      results.push({ record, n });
      scheduleFlush();
    })();
    inFlight.add(task);
    void task.finally(() => {
      inFlight.delete(task);
      pump();
      waker.abort();
    });
    return task;
  };

  /** Claimed notifications waiting for a free slot: claims are taken in batches, sends start one by one. */
  const queue: OutboxNotification[] = [];
  const pump = () => {
    while (running && inFlight.size < settings.concurrency && queue.length > 0) deliver(queue.shift()!);
  };

  const claim = async (limit: number) => {
    try {
      return await store.claimNotifications(holder, clock.now(), settings.leaseMs, limit);
    } catch (err) {
      logger.error({ msg: 'could not claim alert notifications', error: describeError(err) });
      return [];
    }
  };

  const sleep = async (ms: number) => {
    try {
      await clock.sleep(Math.max(0, ms), AbortSignal.any([waker.signal, stopper.signal]));
    } catch {}
    if (waker.signal.aborted) waker = new AbortController();
  };

  const run = async () => {
    while (running) {
      // Claim a batch once there is room for one: one transaction per batch, not per notification.
      const room = 2 * settings.concurrency - queue.length - inFlight.size;
      const claimed = room >= settings.concurrency ? await claim(room) : [];
      queue.push(...claimed);
      pump();
      if (!running) break;
      if (claimed.length > 0 || queue.length > 0) {
        // Busy: each finished attempt wakes the loop, to claim the next batch when there is room.
        if (room < settings.concurrency || claimed.length === room) await sleep(pollMs);
        continue;
      }
      const next = await store.nextNotificationDue().catch(() => null);
      await sleep(next === null ? pollMs : Math.min(pollMs, Math.max(MIN_WAIT_MS, next - clock.now())));
    }
  };

  return {
    holder,
    start() {
      if (running) return;
      running = true;
      stopper = new AbortController();
      loop = run();
    },
    async stop() {
      running = false;
      waker.abort();
      await loop;
      // Claimed but not started: given back, due at once for any process.
      const unsent = queue.splice(0, queue.length).map((n) => n.id);
      if (unsent.length > 0) await store.releaseNotifications(unsent, holder, clock.now()).catch(() => {});
      // Attempts in flight get their timeout to finish; then the rest is cut short and given back.
      const grace = Promise.all([...inFlight]);
      const timer = setTimeout(() => {
        stopper.abort();
        for (const a of attempts) a.abort(new Error('gapwarden is stopping'));
      }, 5000);
      await grace;
      clearTimeout(timer);
      await settle();
    },
    wake() {
      waker.abort();
    },
    async drainOnce() {
      const claimed = await claim(settings.concurrency);
      await Promise.all(claimed.map(deliver));
      await settle();
      return claimed.length;
    },
  };
}

import type { CompiledAlerts } from '../config/compiled-alerts.js';
import type { CompiledReceiver } from '../config/compiled-receiver.js';
import type { ModuleContext, ModuleStartOptions } from '../core/module.js';
import { describeError, GapwardenError } from '../internal/errors.js';
import { createAlertEvaluator, type EvaluationResult } from './alert-evaluator.js';
import { createAlertObserver } from './alert-observer.js';
import { type AlertOperations, createAlertOperations } from './alert-operations.js';
import { gatherFacts } from './gather-facts.js';
import type { Notifier } from './notifier.js';
import { createNotifier, type NotifierDeps } from './notifiers/create-notifier.js';
import { createOutboxWorker, type OutboxWorker } from './outbox-worker.js';
import type { AlertStore } from './store/alert-store.js';
import { alertStorePart } from './store/alert-store-part.js';

/** Makes the notifier of one receiver; the channels' `createNotifier` unless a test or an embedder passes its own. */
export type NotifierFactory = (receiver: CompiledReceiver, deps: NotifierDeps) => Notifier;

export interface AlertsOptions {
  /** @default createNotifier (the channels in `notifiers/`) */
  createNotifier?: NotifierFactory;
  /** How often the outbox worker looks for work nobody woke it for. @default 1000 */
  outboxPollMs?: number;
}

/** The alerts module in one engine. */
export interface Alerts extends AlertOperations {
  readonly store: AlertStore;
  readonly config: CompiledAlerts;
  readonly worker: OutboxWorker;
  /** With `collect` (serve): evaluates on events and on the clock, and delivers the outbox. */
  start(options: ModuleStartOptions): Promise<void>;
  stop(): Promise<void>;
  /** One evaluation now (what the loop runs), then the worker is woken when it wrote notifications. */
  evaluate(): Promise<EvaluationResult>;
  /** The engine clock's time. */
  now(): number;
}

/** Between two evaluations asked for by events that cannot fire an alert (a gap closed, records in). */
const CALM_SPACING_MS = 250;

/**
 * Creates the alerts module's runtime: its store part (registered now, so
 * `open()` migrates it), the notifier of each receiver, the evaluator and
 * the outbox worker. Nothing runs before `start`.
 */
export function createAlerts(ctx: ModuleContext, options: AlertsOptions = {}): Alerts {
  const config = ctx.config.alerts;
  const store = ctx.store.part(alertStorePart);
  const make = options.createNotifier ?? createNotifier;
  const notifiers = new Map(
    config.receivers.map((r) => [
      r.name,
      make(r, { clock: ctx.clock, logger: ctx.logger, redact: ctx.redact }),
    ]),
  );
  const timeouts = new Map(config.receivers.map((r) => [r.name, r.timeoutMs]));
  const worker = createOutboxWorker({
    store,
    notifiers,
    timeoutMs: (receiver) => timeouts.get(receiver) ?? 10_000,
    settings: config.delivery,
    clock: ctx.clock,
    logger: ctx.logger,
    events: ctx.events,
    redact: ctx.redact,
    ...(options.outboxPollMs ? { pollMs: options.outboxPollMs } : {}),
  });

  let requested: { urgent: boolean } | undefined;
  let wake = new AbortController();
  let running = false;
  let loop: Promise<void> | undefined;
  // Read through a function: events set it while the loop awaits, which the type checker cannot see.
  const pending = () => requested;
  const request = (urgent: boolean) => {
    requested = { urgent: urgent || requested?.urgent === true };
    wake.abort();
  };
  const observer = createAlertObserver(
    ctx.events,
    () => ctx.clock.now(),
    (urgent) => {
      if (running) request(urgent);
    },
  );
  const evaluator = createAlertEvaluator({
    config,
    store,
    events: ctx.events,
    now: () => ctx.clock.now(),
    facts: (nowMs) => gatherFacts(ctx.core, observer, nowMs),
  });

  const evaluate = async () => {
    const result = await evaluator.evaluate();
    if (result.notifications > 0) worker.wake();
    if (result.conflicts > 0)
      ctx.logger.debug({ msg: 'alert changes planned again', conflicts: result.conflicts });
    return result;
  };
  const sleep = async (ms: number, interruptible: boolean) => {
    try {
      await ctx.clock.sleep(Math.max(0, ms), interruptible ? wake.signal : undefined);
    } catch {}
    if (wake.signal.aborted) wake = new AbortController();
  };
  const run = async () => {
    while (running) {
      requested = undefined;
      let nextDueAt: number | null = null;
      try {
        nextDueAt = (await evaluate()).nextDueAt;
      } catch (err) {
        ctx.logger.error({ msg: 'alert evaluation failed', error: describeError(err) });
      }
      if (!running) break;
      if (pending()?.urgent) continue;
      if (pending()) {
        await sleep(CALM_SPACING_MS, false);
        continue;
      }
      const untilDue = nextDueAt === null ? Infinity : nextDueAt - ctx.clock.now();
      await sleep(Math.min(config.evaluateEveryMs, untilDue), true);
      // A calm request woke the sleep: space it from the last evaluation, unless an urgent one follows.
      if (pending() && !pending()?.urgent) await sleep(CALM_SPACING_MS, true);
    }
  };

  const ops = createAlertOperations({
    config,
    store,
    clock: ctx.clock,
    worker,
    afterChange: () => {
      if (running) request(true);
    },
  });

  return {
    ...ops,
    store,
    config,
    worker,
    evaluate,
    now: () => ctx.clock.now(),
    async start(opts) {
      if (!opts.collect || running) return;
      if (config.rules.length === 0 && config.receivers.length === 0) return;
      running = true;
      worker.start();
      loop = run();
    },
    async stop() {
      if (running) {
        running = false;
        wake.abort();
        await loop;
      }
      // Also when only the worker ran (a verb that delivered, a test).
      await worker.stop();
      for (const n of notifiers.values()) await n.close?.().catch(() => {});
    },
  };
}

/** NOT_FOUND for an unknown receiver, naming the configured ones. */
export function unknownReceiver(name: string, config: CompiledAlerts): GapwardenError {
  const known = config.receivers.map((r) => r.name).join(', ') || 'none configured';
  return new GapwardenError('NOT_FOUND', `no receiver "${name}" (alerts.receivers: ${known})`);
}

import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Engine } from '../engine/engine.js';
import { registerEventMetrics } from './metrics/event-metrics.js';
import { readStatus, registerStatusMetrics } from './metrics/status-metrics.js';

export { PUSHED_SOURCE_LABEL } from './metrics/event-metrics.js';

/**
 * prom-client names three gauges `_total`, a suffix Prometheus keeps for
 * counters (`promtool check metrics` rejects them). Their per-type siblings
 * (`nodejs_active_handles{type}`, ...) sum to the same numbers.
 */
const MISNAMED_PROCESS_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** An engine's metrics in the Prometheus text format. */
export interface Metrics {
  /** The Prometheus text exposition content type, for the `content-type` header. */
  readonly contentType: string;
  /** The exposition text; refreshes the status gauges from one `engine.status()` first. */
  render(): Promise<string>;
  /** Detaches the event listeners; counters stop moving. */
  close(): void;
}

export interface MetricsOptions {
  engine: Engine;
  /**
   * Registers the standard `process_*` and `nodejs_*` metrics too. Each call
   * starts an event-loop-delay monitor and a GC observer that prom-client
   * cannot stop, so embedders creating many Metrics may want it off.
   * @default true
   */
  collectProcessMetrics?: boolean;
}

/**
 * Prometheus metrics for one engine, on a registry of its own (never the
 * prom-client global one), so two engines in one process never collide.
 * Counters follow the engine's events from now on; gauges mirror
 * `engine.status()` at each scrape rather than on a timer, so they are never
 * staler than the scrape and cost nothing between scrapes.
 *
 * @example
 * const metrics = createMetrics({ engine });
 * const body = await metrics.render();
 * res.writeHead(200, { 'content-type': metrics.contentType }).end(body);
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const { engine } = options;
  const registry = new Registry();
  if (options.collectProcessMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    for (const name of MISNAMED_PROCESS_GAUGES) registry.removeSingleMetric(name);
  }
  const detachEvents = registerEventMetrics(registry, engine.events, engine.config.datasets);
  // Each module's own metrics (see `GapwardenModule.metrics`), on the same registry.
  const detachModules = engine
    .modules()
    .map((def) => def.metrics?.(registry, engine.moduleContext, engine.module(def)))
    .filter((detach) => detach !== undefined);
  const setStatus = registerStatusMetrics(registry);
  return {
    contentType: registry.contentType,
    async render() {
      setStatus(await readStatus(engine));
      return registry.metrics();
    },
    close() {
      detachEvents();
      for (const detach of detachModules) detach();
    },
  };
}

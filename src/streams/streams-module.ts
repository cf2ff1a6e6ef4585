import type { GapwardenModule } from '../core/module.js';
import { registerStreamMetrics } from './stream-metrics.js';
import { streamRoutes } from './stream-routes.js';
import { registerStreamsCli } from './streams-cli.js';
import { createStreams, type Streams, type StreamsOptions } from './streams-runtime.js';

/**
 * The streams module: pipelines over NATS JetStream, Redis Streams or Kafka
 * consumed at least once (docs/streams.md). Long-running: `serve` runs
 * every pipeline from start to stop; `gapwarden streams run` does the same
 * in the foreground; `gapwarden streams` shows lag, throughput and
 * availability from the store.
 */
export function createStreamsModule(options: StreamsOptions = {}): GapwardenModule<Streams> {
  return {
    name: 'streams',
    create: (ctx) => createStreams(ctx, options),
    start: (streams, startOptions) => streams.start(startOptions),
    stop: (streams) => streams.stop(),
    routes: (ctx, streams) => streamRoutes(streams, () => ctx.clock.now()),
    metrics: (registry, ctx, streams) => registerStreamMetrics(registry, ctx.events, streams),
    cli: registerStreamsCli,
    dashboard: { path: '/streams', title: 'Streams' },
  };
}

export const streamsModule: GapwardenModule<Streams> = createStreamsModule();

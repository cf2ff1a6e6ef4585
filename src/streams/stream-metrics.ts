import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventBus } from '../internal/events.js';
import type { Streams } from './streams-runtime.js';

/**
 * The streams module's metrics: lag per topic (live, from the process that
 * runs the pipeline), messages acknowledged and dead letters per topic,
 * commits, and the availability of the newest batch, per pipeline. Returns
 * the unsubscribe.
 */
export function registerStreamMetrics(registry: Registry, events: EventBus, streams: Streams): () => void {
  const registers = [registry];
  new Gauge({
    name: 'gapwarden_stream_lag_messages',
    help: 'Messages of a topic the pipeline has not acknowledged yet (waiting on the server or held here).',
    labelNames: ['pipeline', 'topic'] as const,
    registers,
    collect() {
      this.reset();
      for (const p of streams.live())
        for (const t of p.topics)
          if (t.lag !== null) this.set({ pipeline: p.pipeline, topic: t.topic }, t.lag);
    },
  });
  new Gauge({
    name: 'gapwarden_stream_acked_messages',
    help: 'Messages acknowledged by this process since it started, per pipeline and topic (dead letters included).',
    labelNames: ['pipeline', 'topic'] as const,
    registers,
    collect() {
      for (const p of streams.live())
        for (const t of p.topics) this.set({ pipeline: p.pipeline, topic: t.topic }, t.acked);
    },
  });
  new Gauge({
    name: 'gapwarden_stream_dead_letter_messages',
    help: 'Malformed messages sent to the dead-letter topic by this process since it started.',
    labelNames: ['pipeline', 'topic'] as const,
    registers,
    collect() {
      for (const p of streams.live())
        for (const t of p.topics) this.set({ pipeline: p.pipeline, topic: t.topic }, t.deadLetters);
    },
  });
  const availability = new Gauge({
    name: 'gapwarden_stream_batch_availability_ratio',
    help: 'Availability of the newest batch of a pipeline: present (key, topic) pairs over expected ones.',
    labelNames: ['pipeline'] as const,
    registers,
  });
  const batches = new Counter({
    name: 'gapwarden_stream_batches_total',
    help: 'Batches handed over by this process, by pipeline and status (complete or timed-out).',
    labelNames: ['pipeline', 'status'] as const,
    registers,
  });
  const commits = new Counter({
    name: 'gapwarden_stream_commits_total',
    help: 'Commits (effects stored, then messages acknowledged) by this process, per pipeline.',
    labelNames: ['pipeline'] as const,
    registers,
  });
  const moduleFailures = new Counter({
    name: 'gapwarden_stream_module_failures_total',
    help: 'Module runs of a stream pipeline that threw (or rejected) in this process, by pipeline and module.',
    labelNames: ['pipeline', 'module'] as const,
    registers,
  });
  const offFailure = events.on('stream:module-failed', (e) =>
    moduleFailures.inc({ pipeline: e.pipeline, module: e.module }),
  );
  const offBatch = events.on('stream:batch', (e) => {
    availability.set({ pipeline: e.pipeline }, e.availabilityRatio);
    batches.inc({ pipeline: e.pipeline, status: e.status });
  });
  const offCommit = events.on('stream:committed', (e) => commits.inc({ pipeline: e.pipeline }));
  return () => {
    offBatch();
    offCommit();
    offFailure();
  };
}

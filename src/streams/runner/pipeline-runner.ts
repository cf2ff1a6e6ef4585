import type { CompiledStreamPipeline } from '../../config/compiled-streams.js';
import type { Clock } from '../../internal/clock.js';
import { describeError } from '../../internal/errors.js';
import type { EventBus } from '../../internal/events.js';
import type { Logger } from '../../internal/logger.js';
import type { StreamClient, StreamConsumer, StreamMessage } from '../clients/stream-client.js';
import {
  type BatchReport,
  createPipeline,
  type ModuleResultOutput,
  type Pipeline,
  PipelineMessageError,
  type PipelineOutput,
} from '../pipeline/pipeline.js';
import type { StoredBatchReport, StreamStore, TopicCommit } from '../store/stream-store.js';
import { decodeMessage } from './decode-message.js';
import type { SinkWriter } from './stream-sinks.js';
import { toPipelineDefinition } from './to-definition.js';

/** What `gapwarden streams`, the API and the metrics show of one topic. */
export interface TopicStatus {
  topic: string;
  global: boolean;
  received: number;
  acked: number;
  deadLetters: number;
  /** Messages waiting on the server for this group, last asked (null: not yet, or the engine cannot tell). */
  lag: number | null;
  /** Delivered here and not yet acknowledged (in an open window, or waiting for the next commit). */
  unacked: number;
}

export interface PipelineRunnerStatus {
  pipeline: string;
  running: boolean;
  startedAt: number | null;
  lastCommitAt: number | null;
  commits: number;
  /** The last commit's error, cleared by the next successful one. */
  lastError: string | null;
  results: number;
  moduleFailures: number;
  batches: number;
  topics: TopicStatus[];
}

export interface PipelineRunner {
  start(): Promise<void>;
  /** Stops fetching, waits for the work in hand, commits it, and closes the consumers (SIGTERM). */
  stop(): Promise<void>;
  /** Commits now: what is settled is stored, then acknowledged. */
  commit(): Promise<void>;
  status(): PipelineRunnerStatus;
}

interface TopicState {
  readonly name: string;
  readonly global: boolean;
  readonly batchLimit: number;
  consumer?: StreamConsumer;
  /** Delivered and not acknowledged, by engine id: the pipeline may still hold them. */
  readonly unacked: Map<string, StreamMessage>;
  /** Dead-lettered, acknowledged at the next commit after the dead letter is published. */
  deadLettered: { message: StreamMessage; reason: string; detail: string }[];
  received: number;
  acked: number;
  deadLetters: number;
  lag: number | null;
  lastId: string | null;
  /**
   * A backlog is draining: a fetch came back full and the consumer said more was waiting, and it has
   * said so after every fetch since (a burst smaller than one fetch is no backlog).
   */
  draining: boolean;
}

export interface PipelineRunnerOptions {
  pipeline: CompiledStreamPipeline;
  client: StreamClient;
  store: StreamStore;
  sinks: SinkWriter;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  /** This process's name in the consumer group. */
  consumerName: string;
  /** How often quiet keys and batch timeouts are checked. @default 250 */
  tickMs?: number;
}

/**
 * Runs one pipeline at least once: one consumer per topic, each fetching up
 * to its batch limit; every message goes through the pipeline; a commit
 * (every `commitEvery` messages or `commitIntervalMs`, whichever first)
 * stores the outputs in the sinks, records checkpoints and batch reports,
 * and only then acknowledges the messages the pipeline has settled. A
 * crash anywhere before the acknowledgement means redelivery, and the
 * sinks absorb the repeats (idempotent keys).
 */
export function createPipelineRunner(o: PipelineRunnerOptions): PipelineRunner {
  const p = o.pipeline;
  const log = o.logger;
  const topics = new Map<string, TopicState>(
    p.topics.map((t) => [
      t.name,
      {
        name: t.name,
        global: t.global,
        batchLimit: t.batchLimit,
        unacked: new Map(),
        deadLettered: [],
        received: 0,
        acked: 0,
        deadLetters: 0,
        lag: null,
        lastId: null,
        draining: false,
      },
    ]),
  );
  const pipeline: Pipeline = createPipeline(toPipelineDefinition(p), o.clock);
  let pending: PipelineOutput[] = [];
  let sinceCommit = 0;
  let abort = new AbortController();
  let loops: Promise<void>[] = [];
  let committing: Promise<void> | undefined;
  let commitAgain = false;
  let commitWaiters: (() => void)[] = [];
  // Settled messages a failed commit could not acknowledge: the next commit does.
  let retrySettled: { topic: string; id: string }[] = [];
  const st = {
    running: false,
    startedAt: null as number | null,
    lastCommitAt: null as number | null,
    commits: 0,
    lastError: null as string | null,
    results: 0,
    moduleFailures: 0,
    batches: 0,
  };

  // Module failures are told when the outputs come out of the pipeline, once each, whatever the commit does.
  let failuresToStore = 0;
  const take = (outputs: readonly PipelineOutput[]): readonly PipelineOutput[] => {
    for (const x of outputs) {
      if (x.kind !== 'result' || x.status !== 'failed') continue;
      st.moduleFailures++;
      failuresToStore++;
      const failure = {
        pipeline: p.name,
        module: x.module,
        key: x.key,
        batchId: x.batchId,
        error: x.error ?? 'unknown error',
      };
      log.warn({ msg: 'stream module failed', ...failure });
      o.events.emit('stream:module-failed', failure);
    }
    return outputs;
  };

  const deadLetter = (t: TopicState, m: StreamMessage, reason: string, detail: string) => {
    t.deadLettered.push({ message: m, reason, detail });
    o.events.emit('stream:dead-letter', { pipeline: p.name, topic: t.name, id: m.id, reason });
  };

  const handle = (t: TopicState, m: StreamMessage) => {
    t.received++;
    sinceCommit++;
    if (t.unacked.has(m.id)) {
      // Redelivered while still held here (its ack wait passed): ack the newest delivery later.
      t.unacked.set(m.id, m);
      return;
    }
    const decoded = decodeMessage(m.body, p.timeField, t.global, o.clock.now());
    if (!decoded.ok) return deadLetter(t, m, decoded.reason, decoded.message);
    t.unacked.set(m.id, m);
    try {
      const out = pipeline.accept({
        topic: t.name,
        id: m.id,
        time: decoded.time,
        payload: decoded.payload,
        redelivered: m.redelivered,
      });
      for (const x of take(out)) pending.push(x);
    } catch (err) {
      t.unacked.delete(m.id);
      if (err instanceof PipelineMessageError) return deadLetter(t, m, err.reason, err.message);
      throw err;
    }
  };

  const intervalDue = () => o.clock.now() - (st.lastCommitAt ?? st.startedAt ?? 0) >= p.commitIntervalMs;
  /** Messages per commit: larger while any topic drains a backlog, the configured cadence once caught up. */
  const commitSize = () => {
    for (const t of topics.values()) if (t.draining) return p.backlogCommitEvery;
    return p.commitEvery;
  };

  async function consumeTopic(t: TopicState, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let batch: StreamMessage[];
      try {
        batch = await (t.consumer as StreamConsumer).fetch(200, signal);
      } catch (err) {
        if (signal.aborted) return;
        log.warn({ msg: 'stream fetch failed', pipeline: p.name, topic: t.name, error: describeError(err) });
        await o.clock.sleep(1_000, signal).catch(() => undefined);
        continue;
      }
      for (const m of batch) handle(t, m);
      const wasDraining = t.draining;
      t.draining = (t.consumer as StreamConsumer).behind() && (wasDraining || batch.length >= t.batchLimit);
      if (sinceCommit >= commitSize()) {
        // At most one commit writes while the next messages are fetched and decoded: a second one waits
        // for it, which bounds what is held unacknowledged. Commits still run one at a time, in order.
        if (committing) await committing;
        commitBehind();
      } else if (wasDraining && !t.draining && sinceCommit > 0) {
        // The backlog is drained: its last messages do not wait for the caught-up cadence.
        commitBehind();
      }
    }
  }

  /**
   * Reads what a global topic holds before any keyed topic is read: with a keyed backlog, windows would
   * otherwise close before the global message, published first, is read. Bounded, for a busy topic.
   */
  async function readGlobalBacklog(t: TopicState, signal: AbortSignal): Promise<void> {
    for (let round = 0; round < 50 && !signal.aborted; round++) {
      let batch: StreamMessage[];
      try {
        batch = await (t.consumer as StreamConsumer).fetch(500, signal);
      } catch (err) {
        if (!signal.aborted)
          log.warn({
            msg: 'stream fetch failed',
            pipeline: p.name,
            topic: t.name,
            error: describeError(err),
          });
        return; // its loop retries
      }
      if (batch.length === 0) return;
      for (const m of batch) handle(t, m);
    }
  }

  async function tickLoop(signal: AbortSignal): Promise<void> {
    const every = o.tickMs ?? 250;
    let lagAskedAt = 0;
    while (!signal.aborted) {
      await o.clock.sleep(every, signal).catch(() => undefined);
      if (signal.aborted) return;
      for (const x of take(pipeline.tick())) pending.push(x);
      if (intervalDue() || sinceCommit >= commitSize()) await commit();
      if (o.clock.now() - lagAskedAt >= 5_000) {
        lagAskedAt = o.clock.now();
        await refreshLag();
      }
    }
  }

  async function refreshLag(): Promise<void> {
    for (const t of topics.values()) {
      try {
        const lag = await t.consumer?.lag();
        t.lag = lag ?? null;
      } catch {
        // the next round asks again
      }
    }
  }

  /** One commit: outputs to the sinks, dead letters published, the store written, then acknowledgements. */
  async function commitOnce(): Promise<void> {
    const began = o.clock.now();
    const drained = await pipeline.drain();
    // Taken together, synchronously: every settled message's outputs are among these.
    const outputs = [...pending, ...take(drained), ...take(pipeline.tick())];
    const failures = failuresToStore;
    failuresToStore = 0;
    pending = [];
    const settled = [...retrySettled, ...pipeline.settled()];
    retrySettled = [];
    const dead = [...topics.values()].map((t) => {
      const d = t.deadLettered;
      t.deadLettered = [];
      return d;
    });
    sinceCommit = 0;
    const results: ModuleResultOutput[] = [];
    const reports: BatchReport[] = [];
    for (const x of outputs) {
      if (x.kind === 'batch') reports.push(x.report);
      else if (x.status === 'ok') results.push(x);
    }
    try {
      const letters = dead.flat();
      if (letters.length > 0) {
        await o.client.publish(
          p.deadLetterTopic,
          letters.map((l) => ({
            body: {
              pipeline: p.name,
              topic: l.message.topic,
              id: l.message.id,
              reason: l.reason,
              detail: l.detail,
              body: new TextDecoder().decode(l.message.body),
              at: o.clock.now(),
            },
            dedupeId: `${p.name}/${l.message.topic}/${l.message.id}`,
          })),
        );
      }
      await o.sinks(results, reports);
      // What to acknowledge, per topic.
      const toAck = new Map<TopicState, StreamMessage[]>();
      for (const s of settled) {
        const t = topics.get(s.topic);
        const m = t?.unacked.get(s.id);
        if (!t || !m) continue;
        const list = toAck.get(t) ?? [];
        list.push(m);
        toAck.set(t, list);
      }
      [...topics.values()].forEach((t, i) => {
        const d = dead[i] ?? [];
        if (d.length > 0) toAck.set(t, [...(toAck.get(t) ?? []), ...d.map((x) => x.message)]);
      });
      const newest = new Map<TopicState, string | null>();
      const commits: TopicCommit[] = [...topics.values()].map((t, i) => {
        const list = toAck.get(t) ?? [];
        // Redeliveries are acknowledged after newer messages: the checkpoint keeps the newest id.
        let lastId = t.lastId;
        for (const m of list) if (lastId === null || o.client.compareIds(m.id, lastId) > 0) lastId = m.id;
        newest.set(t, lastId);
        return {
          pipeline: p.name,
          topic: t.name,
          acked: list.length,
          deadLetters: dead[i]?.length ?? 0,
          lastId,
          lag: t.lag,
        };
      });
      await o.store.saveCommit({
        at: o.clock.now(),
        topics: commits,
        batches: reports.map(toStored),
        moduleFailures: failures > 0 ? [{ pipeline: p.name, count: failures }] : [],
      });
      for (const [t, list] of toAck) {
        await t.consumer?.ack(list);
        for (const m of list) t.unacked.delete(m.id);
        t.acked += list.length;
        t.deadLetters += dead[[...topics.values()].indexOf(t)]?.length ?? 0;
      }
      for (const [t, id] of newest) t.lastId = id;
      st.commits++;
      st.lastCommitAt = o.clock.now();
      st.lastError = null;
      st.results += results.length;
      st.batches += reports.length;
      const messages = [...toAck.values()].reduce((n, l) => n + l.length, 0);
      for (const r of reports)
        o.events.emit('stream:batch', {
          pipeline: p.name,
          batchId: r.batchId,
          status: r.status,
          availabilityRatio: r.availabilityRatio,
          missingKeys: r.missingKeys.length,
        });
      o.events.emit('stream:committed', {
        pipeline: p.name,
        messages,
        deadLetters: letters.length,
        results: results.length,
        ms: o.clock.now() - began,
      });
    } catch (err) {
      // Nothing was acknowledged: keep everything for the next commit (or redelivery after a crash).
      pending = [...outputs, ...pending];
      [...topics.values()].forEach((t, i) => {
        t.deadLettered = [...(dead[i] ?? []), ...t.deadLettered];
      });
      retrySettled = [...settled, ...retrySettled];
      failuresToStore += failures;
      st.lastError = describeError(err);
      st.lastCommitAt = o.clock.now(); // retried after the interval, not in a tight loop
      log.error({ msg: 'stream commit failed', pipeline: p.name, error: st.lastError });
    }
  }

  /** Starts a commit without waiting for it: the fetch loop goes on reading meanwhile. */
  function commitBehind(): void {
    commit().catch((err) => {
      st.lastError = describeError(err);
      log.error({ msg: 'stream commit failed', pipeline: p.name, error: st.lastError });
    });
  }

  /** Single flight: a commit asked for while one runs is run once more after it. */
  function commit(): Promise<void> {
    if (committing) {
      commitAgain = true;
      return new Promise((resolve) => commitWaiters.push(resolve));
    }
    committing = (async () => {
      try {
        do {
          commitAgain = false;
          const waiters = commitWaiters;
          commitWaiters = [];
          await commitOnce();
          for (const w of waiters) w();
        } while (commitAgain);
      } finally {
        committing = undefined;
      }
    })();
    return committing;
  }

  return {
    async start() {
      if (st.running) return;
      abort = new AbortController();
      // The newest id acknowledged so far, by any process of the group: a restart does not move it back.
      for (const cp of await o.store.checkpoints(p.name)) {
        const t = topics.get(cp.topic);
        if (t && cp.lastId !== null) t.lastId = cp.lastId;
      }
      for (const t of topics.values()) {
        t.consumer = await o.client.consumer({
          topic: t.name,
          group: p.group,
          consumerName: o.consumerName,
          ackWaitMs: p.ackWaitMs,
          batchLimit: t.batchLimit,
        });
      }
      st.running = true;
      st.startedAt = o.clock.now();
      log.info({
        msg: 'stream pipeline started',
        pipeline: p.name,
        topics: [...topics.keys()],
        engine: o.client.engine,
      });
      const signal = abort.signal;
      for (const t of topics.values()) if (t.global) await readGlobalBacklog(t, signal);
      loops = [...[...topics.values()].map((t) => consumeTopic(t, signal)), tickLoop(signal)];
    },
    async stop() {
      if (!st.running) return;
      abort.abort();
      await Promise.allSettled(loops);
      await commit();
      for (const t of topics.values()) await t.consumer?.close().catch(() => undefined);
      st.running = false;
      const held = [...topics.values()].reduce((n, t) => n + t.unacked.size, 0);
      log.info({ msg: 'stream pipeline stopped', pipeline: p.name, commits: st.commits, held });
    },
    commit,
    status() {
      return {
        pipeline: p.name,
        ...st,
        topics: [...topics.values()].map((t) => ({
          topic: t.name,
          global: t.global,
          received: t.received,
          acked: t.acked,
          deadLetters: t.deadLetters,
          lag: t.lag,
          unacked: t.unacked.size + t.deadLettered.length,
        })),
      };
    },
  };
}

function toStored(r: BatchReport): StoredBatchReport {
  return {
    pipeline: r.pipeline,
    batchId: r.batchId,
    windowEnd: r.windowEnd,
    status: r.status,
    openedAt: r.openedAt,
    closedAt: r.closedAt,
    expectedKeys: r.expectedKeys,
    reportedKeys: r.results.length,
    missingKeys: r.missingKeys,
    missingTopics: r.missingTopics,
    availabilityRatio: r.availabilityRatio,
  };
}

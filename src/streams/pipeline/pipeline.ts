import type { Clock } from '../../internal/clock.js';
import { type BatchCollector, createBatchCollector } from './batch-collector.js';
import { compilePipeline } from './compile-pipeline.js';
import {
  buildWindow,
  createTopicBuffer,
  insertSample,
  pruneBuffer,
  releaseBuffer,
  type TopicBuffer,
} from './key-window.js';
import { PipelineMessageError } from './pipeline-message-error.js';
import type {
  GlobalValue,
  PipelineDefinition,
  PipelineMessage,
  PipelineOutput,
  PipelineStats,
  PipelineWindow,
  SettledMessage,
} from './pipeline-types.js';
import { runModules, type WindowJob } from './window-job.js';

export { checkPipelineDefinition, compilePipeline } from './compile-pipeline.js';
export { checkModuleGraph } from './module-graph.js';
export { PipelineConfigError } from './pipeline-config-error.js';
export { PipelineMessageError } from './pipeline-message-error.js';
export * from './pipeline-types.js';

/**
 * A running pipeline: pure and single-threaded; the runner feeds it messages and calls `tick` on a timer.
 *
 * Contract with the runner:
 * - `accept` and `tick` never wait and never throw for a module's failure (a failing module yields a
 *   `failed` result). `accept` throws {@link PipelineMessageError} for a message it cannot place (unknown
 *   topic, missing key field, bad time): dead-letter it and acknowledge it; the pipeline kept nothing.
 * - Outputs are returned by the call during which they became ready. With synchronous modules that is the
 *   `accept`/`tick` that closed the window. When a module returns a promise, the window's remaining work
 *   runs in the background (at most `concurrency` windows at once, the windows of one key in order) and its
 *   outputs come back from a later `accept`/`tick`, or from `drain()`, which resolves once nothing is in
 *   flight (use it before a commit and on SIGTERM).
 * - At-least-once: `settled()` lists messages whose every effect is in outputs already returned. Store
 *   those outputs first, then acknowledge exactly these messages. A message stays held while an open window
 *   may still use it (as a sample or as a fill anchor); the latest message of each global topic stays held
 *   until a newer one replaces it, so after a crash redelivery rebuilds both windows and global context.
 *   A redelivered copy of a held message is ignored (it settles with the original); a repeat of a message
 *   whose window already closed is dropped as late, or rebuilds a window with the same `outputKey` after a
 *   restart, so idempotent sinks absorb it.
 *
 * @example
 * const p = createPipeline(def, systemClock);
 * const out = p.accept({ topic: 'station-data', id: '17', time: Date.parse('2026-01-01T00:01:00Z'),
 *   payload: { stationId: 'S001', power: 12.5 } });
 * await sink.write(out.concat(await p.drain()));
 * await ack(p.settled());
 */
export interface Pipeline {
  readonly definition: PipelineDefinition;
  accept(msg: PipelineMessage): PipelineOutput[];
  /** Closes the windows of quiet keys, expires idle keys and times out batches, by the clock. */
  tick(): PipelineOutput[];
  /** Waits for every window in flight and returns the outputs not yet handed over. */
  drain(): Promise<PipelineOutput[]>;
  /** Messages safe to acknowledge (each returned once). */
  settled(): SettledMessage[];
  stats(): PipelineStats;
}

interface KeyState {
  key: string;
  buffers: TopicBuffer[];
  /** Slots that received a message and whose window is still open, ascending. */
  triggers: number[];
  /** The end of the last window closed: a message for this slot or earlier is late. */
  closedThrough: number;
  maxTime: number;
  lastSeen: number;
  /** Closed windows not yet handed over, in order; the first may be running. */
  pending: WindowJob[];
  waiting: boolean;
}

const NONE: string[] = [];

/** Creates a pipeline from a definition, checked here (throws {@link PipelineConfigError}). */
export function createPipeline(def: PipelineDefinition, clock: Clock): Pipeline {
  const cp = compilePipeline(def);
  const c = def.cadenceMs;
  const grace = def.window.graceMs;
  const keyBy = def.keyBy;
  const keys = new Map<string, KeyState>();
  // Per key, the windows rebuilt from redelivered messages older than what `keys` already closed:
  // what a consumer that died had taken and never stored (see accept).
  const replays = new Map<string, KeyState>();
  let globalCache: Record<string, GlobalValue> = {};
  let outbox: PipelineOutput[] = [];
  let settledQueue: SettledMessage[] = [];
  const ready: KeyState[] = [];
  let idleWaiters: (() => void)[] = [];
  let running = 0;
  let queued = 0;
  const n = {
    accepted: 0,
    duplicates: 0,
    late: 0,
    windowsClosed: 0,
    quietCloses: 0,
    expiredKeys: 0,
    moduleRuns: 0,
    moduleFailures: 0,
    held: 0,
  };
  const batch: BatchCollector | undefined = def.batch
    ? createBatchCollector({
        pipeline: def.name,
        def: def.batch,
        topics: [...cp.keyedTopics, ...cp.globalTopics],
        clock,
        liveKeys: () => keys.keys(),
      })
    : undefined;

  const takeOutputs = (): PipelineOutput[] => {
    if (outbox.length === 0) return [];
    const out = outbox;
    outbox = [];
    return out;
  };

  const finish = (job: WindowJob): void => {
    for (const o of job.outputs) {
      outbox.push(o);
      if (o.status !== 'skipped') n.moduleRuns++;
    }
    n.moduleFailures += job.failures;
    if (batch) {
      const report = batch.record({
        windowEnd: job.window.end,
        key: job.key,
        outputs: job.results,
        missingTopics: job.missingTopics,
      });
      if (report) outbox.push({ kind: 'batch', report });
    }
    for (const m of job.release) settledQueue.push(m);
  };

  const notifyIdle = (): void => {
    if (running > 0 || queued > 0 || idleWaiters.length === 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const pumpReady = (): void => {
    while (running < cp.concurrency && ready.length > 0) {
      const st = ready.shift()!;
      st.waiting = false;
      pump(st);
    }
  };

  // Runs the key's pending windows in order: inline while modules are synchronous, else one in flight.
  const pump = (st: KeyState): void => {
    while (st.pending.length > 0) {
      if (running >= cp.concurrency) {
        if (!st.waiting) {
          st.waiting = true;
          ready.push(st);
        }
        return;
      }
      const job = st.pending[0]!;
      const inFlight = runModules(cp, job);
      if (inFlight === undefined) {
        st.pending.shift();
        queued--;
        finish(job);
        continue;
      }
      running++;
      const done = () => {
        running--;
        st.pending.shift();
        queued--;
        finish(job);
        pump(st);
        pumpReady();
        notifyIdle();
      };
      inFlight.then(done, done);
      return;
    }
  };

  // Every key closing a window at the same end shares its slot times and batch id.
  const ends = new Map<number, { slots: readonly number[]; batchId: string; endText: string }>();
  const endInfo = (end: number) => {
    let info = ends.get(end);
    if (info === undefined) {
      if (ends.size >= 1024) ends.clear();
      const slots = new Array<number>(cp.slots);
      for (let i = 0; i < cp.slots; i++) slots[i] = end - (cp.slots - 1 - i) * c;
      info = { slots: Object.freeze(slots), batchId: new Date(end).toISOString(), endText: String(end) };
      ends.set(end, info);
    }
    return info;
  };

  const closeWindow = (st: KeyState, end: number, closedBy: PipelineWindow['closedBy']): void => {
    const info = endInfo(end);
    const window = buildWindow(cp, st.buffers, info.slots, closedBy);
    st.closedThrough = end;
    n.windowsClosed++;
    let missingTopics: string[] = NONE;
    for (const t of cp.keyedTopics) {
      if (window.topics[t]!.count === 0) missingTopics = missingTopics === NONE ? [t] : [...missingTopics, t];
    }
    for (const t of cp.globalTopics) {
      if (globalCache[t] === undefined) missingTopics = missingTopics === NONE ? [t] : [...missingTopics, t];
    }
    const job: WindowJob = {
      key: st.key,
      window,
      batchId: info.batchId,
      keySuffix: `/${st.key}/${info.endText}`,
      global: globalCache,
      missingTopics,
      results: {},
      outputs: [],
      release: [],
      failures: 0,
    };
    // The next window of this key starts one slot later at the earliest.
    const needFrom = end - (cp.slots - 2) * c;
    for (const buf of st.buffers) n.held -= pruneBuffer(buf, needFrom, job.release);
    st.pending.push(job);
    queued++;
    if (st.pending.length === 1) pump(st);
  };

  // closeBy 'stream': the newest message time of any key, and the slot it last swept every key up to.
  const byStream = def.window.closeBy === 'stream';
  let streamMax = Number.NEGATIVE_INFINITY;
  let sweptSlot = Number.NEGATIVE_INFINITY;

  const closeDue = (st: KeyState): void => {
    const limit = (byStream && streamMax > st.maxTime ? streamMax : st.maxTime) - c - grace;
    while (st.triggers.length > 0 && st.triggers[0]! <= limit)
      closeWindow(st, st.triggers.shift()!, 'watermark');
  };

  const acceptGlobal = (msg: PipelineMessage): void => {
    const prev = globalCache[msg.topic];
    if (prev !== undefined && prev.id === msg.id) {
      n.duplicates++;
      return;
    }
    n.accepted++;
    if (prev !== undefined && msg.time < prev.time) {
      settledQueue.push({ topic: msg.topic, id: msg.id }); // older than what every key already sees
      return;
    }
    // Copy on write: a window keeps the global context it closed with.
    globalCache = { ...globalCache, [msg.topic]: { id: msg.id, time: msg.time, payload: msg.payload } };
    if (prev !== undefined) settledQueue.push({ topic: msg.topic, id: prev.id });
    else n.held++;
  };

  const keyOf = (msg: PipelineMessage): string => {
    const raw = msg.payload?.[keyBy];
    if (typeof raw === 'string' && raw !== '') return raw;
    if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
    throw new PipelineMessageError(
      'missing-key',
      msg.topic,
      msg.id,
      `message ${msg.id} on topic "${msg.topic}" has no usable key field "${keyBy}" (found ${JSON.stringify(raw) ?? 'undefined'}): each message of a keyed topic needs it`,
    );
  };

  const stateOf = (key: string, lane = keys): KeyState => {
    let st = lane.get(key);
    if (st === undefined) {
      st = {
        key,
        buffers: cp.keyedTopics.map(createTopicBuffer),
        triggers: [],
        closedThrough: Number.NEGATIVE_INFINITY,
        maxTime: Number.NEGATIVE_INFINITY,
        lastSeen: 0,
        pending: [],
        waiting: false,
      };
      lane.set(key, st);
    }
    return st;
  };

  const expire = (st: KeyState, lane: Map<string, KeyState>): void => {
    const last = st.pending[st.pending.length - 1];
    const into = last ? last.release : settledQueue; // settle only after windows still in flight
    for (const buf of st.buffers) n.held -= releaseBuffer(buf, into);
    lane.delete(st.key);
    n.expiredKeys++;
  };

  return {
    definition: def,
    accept(msg) {
      const idx = cp.topicIndex.get(msg.topic);
      if (idx === undefined) {
        throw new PipelineMessageError(
          'unknown-topic',
          msg.topic,
          msg.id,
          `message ${msg.id} is on topic "${msg.topic}", which pipeline "${def.name}" does not read (topics: ${[...cp.topicIndex.keys()].join(', ')})`,
        );
      }
      if (typeof msg.time !== 'number' || !Number.isFinite(msg.time)) {
        throw new PipelineMessageError(
          'invalid-time',
          msg.topic,
          msg.id,
          `message ${msg.id} on topic "${msg.topic}" has no valid time (found ${String(msg.time)}): give ms since the epoch`,
        );
      }
      if (idx < 0) {
        acceptGlobal(msg);
        return takeOutputs();
      }
      const key = keyOf(msg);
      let st = stateOf(key);
      st.lastSeen = clock.now();
      const slot = Math.floor(msg.time / c) * c;
      // After a crash, the new consumer may read newer messages before the dead one's are handed to it
      // (after the ack wait): those come back redelivered, behind this key's closed windows, and their
      // windows may never have been stored. They get windows of their own, with the same output keys.
      if (slot <= st.closedThrough && msg.redelivered) {
        st = stateOf(key, replays);
        st.lastSeen = clock.now();
      }
      if (slot <= st.closedThrough) {
        n.accepted++;
        n.late++;
        settledQueue.push({ topic: msg.topic, id: msg.id });
        return takeOutputs();
      }
      const outcome = insertSample(st.buffers[idx]!, slot, msg.id, msg.time, msg.payload);
      if (outcome.kind === 'duplicate') {
        n.duplicates++;
        return takeOutputs();
      }
      n.accepted++;
      if (outcome.kind === 'replaced') settledQueue.push(outcome.dropped);
      else n.held++;
      if (msg.time > st.maxTime) st.maxTime = msg.time;
      const tr = st.triggers;
      if (tr.length === 0 || tr[tr.length - 1]! < slot) tr.push(slot);
      else if (!tr.includes(slot)) {
        tr.push(slot);
        tr.sort((a, b) => a - b);
      }
      closeDue(st);
      if (byStream && msg.time > streamMax) {
        streamMax = msg.time;
        // Once per slot the stream moves past, every key closes what that passing made due.
        const slotDue = Math.floor((streamMax - c - grace) / c);
        if (slotDue > sweptSlot) {
          sweptSlot = slotDue;
          for (const other of keys.values()) if (other.triggers.length > 0) closeDue(other);
        }
      }
      return takeOutputs();
    },
    tick() {
      const now = clock.now();
      for (const lane of [keys, replays]) {
        for (const st of [...lane.values()]) {
          const quiet = now - st.lastSeen;
          if (quiet >= def.window.quietCloseMs && st.triggers.length > 0) {
            n.quietCloses++;
            while (st.triggers.length > 0) closeWindow(st, st.triggers.shift()!, 'quiet');
          }
          if (quiet >= def.idleExpiryMs) expire(st, lane);
        }
      }
      if (batch) for (const report of batch.tick()) outbox.push({ kind: 'batch', report });
      return takeOutputs();
    },
    async drain() {
      while (running > 0 || queued > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      return takeOutputs();
    },
    settled() {
      if (settledQueue.length === 0) return [];
      const out = settledQueue;
      settledQueue = [];
      // Held messages settle as their buffer entries; hand over only what identifies them.
      return out.map((m) => ({ topic: m.topic, id: m.id }));
    },
    stats() {
      const b = batch?.stats();
      return {
        keys: keys.size,
        accepted: n.accepted,
        duplicates: n.duplicates,
        late: n.late,
        windowsClosed: n.windowsClosed,
        quietCloses: n.quietCloses,
        expiredKeys: n.expiredKeys,
        moduleRuns: n.moduleRuns,
        moduleFailures: n.moduleFailures,
        inFlight: queued,
        held: n.held,
        batchesOpen: b?.open ?? 0,
        batchesComplete: b?.complete ?? 0,
        batchesTimedOut: b?.timedOut ?? 0,
      };
    },
  };
}

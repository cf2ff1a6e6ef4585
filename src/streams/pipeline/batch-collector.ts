import type { Clock } from '../../internal/clock.js';
import type { BatchDefinition, BatchReport } from './pipeline-types.js';

/** One key's contribution to a batch: its module results and the topics its window lacked. */
export interface BatchEntry {
  windowEnd: number;
  key: string;
  /** Non-null module results by module name (may be empty). */
  outputs: Record<string, unknown>;
  missingTopics: readonly string[];
}

export interface BatchCollector {
  /** Adds a key's results; returns the report when this completes the batch. */
  record(entry: BatchEntry): BatchReport | undefined;
  /** Hands over every batch whose timeout passed on the clock, with what arrived. */
  tick(): BatchReport[];
  stats(): { open: number; complete: number; timedOut: number; lateResults: number };
}

interface OpenBatch {
  windowEnd: number;
  openedAt: number;
  expected: Set<string>;
  entries: Map<string, BatchEntry>;
}

/** The seed's `_batch_timeout`: a batch waits this long for its slowest key. */
export const DEFAULT_BATCH_TIMEOUT_MS = 5000;

/** How many handed-over batch ids are remembered to recognise results arriving after their batch. */
const CLOSED_MEMORY = 4096;

/**
 * Collects the results of one batch (one window end) across the expected keys. A batch opens at its first
 * result and is handed over when every expected key reported, or `timeoutMs` (default 5 s) of clock time later with
 * what arrived. Results for a batch already handed over are counted as late and dropped.
 *
 * @param liveKeys the keys alive now: the expected keys when the definition lists none.
 */
export function createBatchCollector(opts: {
  pipeline: string;
  def: BatchDefinition;
  /** Every topic a key should have (keyed and global), for missing topics and the availability ratio. */
  topics: readonly string[];
  clock: Clock;
  liveKeys: () => Iterable<string>;
}): BatchCollector {
  const { pipeline, def, topics, clock } = opts;
  const timeoutMs = def.timeoutMs ?? DEFAULT_BATCH_TIMEOUT_MS;
  const open = new Map<number, OpenBatch>();
  const closed = new Set<number>();
  let complete = 0;
  let timedOut = 0;
  let lateResults = 0;

  const report = (b: OpenBatch, status: BatchReport['status']): BatchReport => {
    open.delete(b.windowEnd);
    closed.add(b.windowEnd);
    if (closed.size > CLOSED_MEMORY) closed.delete(closed.values().next().value!);
    if (status === 'complete') complete++;
    else timedOut++;
    const expectedKeys = [...b.expected].sort();
    const results: { key: string; outputs: Record<string, unknown> }[] = [];
    const missingKeys: string[] = [];
    const missingTopicsByKey: Record<string, readonly string[]> = {};
    const missingTopics = new Set<string>();
    let present = 0;
    for (const key of expectedKeys) {
      const e = b.entries.get(key);
      if (!e) {
        missingKeys.push(key);
        continue;
      }
      if (Object.keys(e.outputs).length > 0) results.push({ key, outputs: e.outputs });
      present += topics.length - e.missingTopics.length;
      if (e.missingTopics.length > 0) {
        missingTopicsByKey[key] = e.missingTopics;
        for (const t of e.missingTopics) missingTopics.add(t);
      }
    }
    const possible = expectedKeys.length * topics.length;
    return {
      pipeline,
      batchId: new Date(b.windowEnd).toISOString(),
      windowEnd: b.windowEnd,
      status,
      openedAt: b.openedAt,
      closedAt: clock.now(),
      expectedKeys,
      results,
      missingKeys,
      missingTopics: [...missingTopics].sort(),
      missingTopicsByKey,
      availabilityRatio: possible === 0 ? 0 : present / possible,
    };
  };

  return {
    record(entry) {
      if (closed.has(entry.windowEnd)) {
        lateResults++;
        return undefined;
      }
      let b = open.get(entry.windowEnd);
      if (!b) {
        b = {
          windowEnd: entry.windowEnd,
          openedAt: clock.now(),
          expected: new Set(def.expectedKeys ?? opts.liveKeys()),
          entries: new Map(),
        };
        open.set(entry.windowEnd, b);
      }
      // Without a fixed list, a key that joins while the batch is open is expected too.
      if (!def.expectedKeys) b.expected.add(entry.key);
      else if (!b.expected.has(entry.key)) return undefined; // not a key this batch waits for
      b.entries.set(entry.key, entry);
      if (b.entries.size >= b.expected.size) {
        for (const k of b.expected) if (!b.entries.has(k)) return undefined;
        return report(b, 'complete');
      }
      return undefined;
    },
    tick() {
      const now = clock.now();
      const due: OpenBatch[] = [];
      for (const b of open.values()) if (now - b.openedAt >= timeoutMs) due.push(b);
      return due.map((b) => report(b, 'timed-out'));
    },
    stats: () => ({ open: open.size, complete, timedOut, lateResults }),
  };
}

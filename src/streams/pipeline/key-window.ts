import type { CompiledPipeline } from './compile-pipeline.js';
import { type FillAnchor, fillHoles } from './fills.js';
import type { PipelineWindow, SettledMessage, WindowSeries } from './pipeline-types.js';

/** One held message in its slot. It is its own {@link SettledMessage} once released. */
export interface Sample extends SettledMessage {
  slot: number;
  time: number;
  payload: Record<string, unknown>;
}

/** The messages of one key on one topic, one per slot, oldest first. */
export interface TopicBuffer {
  topic: string;
  samples: Sample[];
}

export function createTopicBuffer(topic: string): TopicBuffer {
  return { topic, samples: [] };
}

/** What inserting a message did. */
export type InsertOutcome =
  | { kind: 'added' }
  | { kind: 'duplicate' }
  /** Another message held the slot: the one that lost (older message time, or the earlier arrival). */
  | { kind: 'replaced'; dropped: SettledMessage };

const ADDED: InsertOutcome = { kind: 'added' };
const DUPLICATE: InsertOutcome = { kind: 'duplicate' };

/**
 * Puts a message in its slot (messages usually arrive in order, so the search starts at the end).
 * One message per slot: the newer message time wins, the later arrival on a tie.
 */
export function insertSample(
  buf: TopicBuffer,
  slot: number,
  id: string,
  time: number,
  payload: Record<string, unknown>,
): InsertOutcome {
  const list = buf.samples;
  let i = list.length;
  while (i > 0 && list[i - 1]!.slot > slot) i--;
  if (i > 0 && list[i - 1]!.slot === slot) {
    const held = list[i - 1]!;
    if (held.id === id) return DUPLICATE;
    if (time < held.time) return { kind: 'replaced', dropped: { topic: buf.topic, id } };
    list[i - 1] = { topic: buf.topic, id, slot, time, payload };
    return { kind: 'replaced', dropped: held };
  }
  const sample: Sample = { topic: buf.topic, id, slot, time, payload };
  if (i === list.length) list.push(sample);
  else list.splice(i, 0, sample);
  return ADDED;
}

/**
 * Builds the window over `slots` (its slot times, shared by every key closing at the same end) from the
 * key's buffers, filling every field declared in `fills`. The latest message before the window and the
 * earliest after it serve as anchors for `forward` and `linear`.
 */
export function buildWindow(
  cp: CompiledPipeline,
  buffers: readonly TopicBuffer[],
  slots: readonly number[],
  closedBy: PipelineWindow['closedBy'],
): PipelineWindow {
  const start = slots[0]!;
  const end = slots[slots.length - 1]!;
  const topics: Record<string, WindowSeries> = {};
  for (let t = 0; t < buffers.length; t++) {
    const buf = buffers[t]!;
    topics[buf.topic] = buildSeries(cp, buf, start, end, slots.length);
  }
  return { start, end, slots, topics, closedBy };
}

function buildSeries(
  cp: CompiledPipeline,
  buf: TopicBuffer,
  start: number,
  end: number,
  n: number,
): WindowSeries {
  const c = cp.def.cadenceMs;
  const present = new Array<boolean>(n);
  const samples = new Array<Record<string, unknown> | null>(n);
  for (let i = 0; i < n; i++) {
    present[i] = false;
    samples[i] = null;
  }
  // The buffer indexes [lo, hi) fall inside the window; lo - 1 is the left anchor, hi the right one.
  const list = buf.samples;
  let hi = list.length;
  while (hi > 0 && list[hi - 1]!.slot > end) hi--;
  let lo = hi;
  while (lo > 0 && list[lo - 1]!.slot >= start) lo--;
  for (let b = lo; b < hi; b++) {
    const i = (list[b]!.slot - start) / c;
    present[i] = true;
    samples[i] = list[b]!.payload;
  }
  const values: Record<string, unknown[]> = {};
  const fields = cp.fillFields;
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f]!;
    const v = new Array<unknown>(n);
    let holes = false;
    for (let i = 0; i < n; i++) {
      const s = samples[i];
      const x = s === null || s === undefined ? undefined : s[field];
      if (x === undefined || x === null) {
        v[i] = undefined;
        holes = true;
      } else v[i] = x;
    }
    if (holes) {
      const before = lo > 0 ? list[lo - 1]! : undefined;
      const after = hi < list.length ? list[hi]! : undefined;
      const left: FillAnchor | undefined = before && {
        index: (before.slot - start) / c,
        value: before.payload[field],
      };
      const right: FillAnchor | undefined = after && {
        index: (after.slot - start) / c,
        value: after.payload[field],
      };
      fillHoles(v, cp.fillStrategies[f]!, left, right);
    }
    values[field] = v;
  }
  return { present, count: hi - lo, samples, values };
}

/**
 * Drops the messages no future window of this key can use: those before `needFrom` except the latest
 * one (kept as the `forward`/`linear` anchor). Appends what was dropped to `into`, to be settled.
 */
export function pruneBuffer(buf: TopicBuffer, needFrom: number, into: SettledMessage[]): number {
  const list = buf.samples;
  let firstNeeded = 0;
  while (firstNeeded < list.length && list[firstNeeded]!.slot < needFrom) firstNeeded++;
  const drop = firstNeeded - 1; // keep one anchor before needFrom
  if (drop <= 0) return 0;
  if (drop === 1) into.push(list.shift()!);
  else for (const s of list.splice(0, drop)) into.push(s);
  return drop;
}

/** Empties a buffer (key expiry), appending every held message to `into`, to be settled. */
export function releaseBuffer(buf: TopicBuffer, into: SettledMessage[]): number {
  const n = buf.samples.length;
  for (const s of buf.samples) into.push(s);
  buf.samples = [];
  return n;
}

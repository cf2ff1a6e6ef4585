import type { CompiledMeasure } from '../config/compiled-rollups.js';
import { HyperLogLog } from '../domain/sketches/hyperloglog.js';
import { sketchBytesError } from '../domain/sketches/sketch-bytes.js';
import { TDigest } from '../domain/sketches/t-digest.js';

/** The state of one measure in one bucket. */
type MeasureState =
  | { kind: 'count' }
  | { kind: 'sum'; value: number; seen: number }
  | { kind: 'min' | 'max'; value: number | null }
  | { kind: 'unique'; sketch: HyperLogLog }
  | { kind: 'quantiles'; sketch: TDigest };

/** What a bucket shows: exact numbers, estimates, and quantiles asked for. */
export type MeasureValue = number | null | Record<string, number | null>;

const VERSION = 1;
const MAGIC = 'RB';

/**
 * Every measure of one (dimension values, bucket) cell: the exact count, sums,
 * minima and maxima, and the HyperLogLog and t-digest sketches. Mergeable, so
 * buckets combine into coarser ones and deltas fold into stored state; its
 * bytes are versioned (a JSON header naming each measure, then the sketches).
 */
export class BucketState {
  count = 0;
  private readonly states = new Map<string, MeasureState>();
  /** One adder per measure other than count, compiled once: the per-record path does no lookups by name. */
  private readonly adders: Array<(payload: Record<string, unknown>) => void> = [];

  constructor(private readonly measures: readonly CompiledMeasure[]) {
    for (const m of measures) {
      const state = fresh(m);
      this.states.set(m.name, state);
      if (m.kind !== 'count') this.adders.push(adderOf(state, m.field));
    }
  }

  /** Adds one record's payload. Numeric fields that are missing or not finite numbers are skipped by their measure. */
  add(payload: Record<string, unknown>): void {
    this.count++;
    const adders = this.adders;
    for (let i = 0; i < adders.length; i++) (adders[i] as (p: Record<string, unknown>) => void)(payload);
  }

  /** Folds `other` (of the same measures) into this one. */
  merge(other: BucketState): this {
    this.count += other.count;
    for (const [name, b] of other.states) {
      const a = this.states.get(name);
      if (!a) continue;
      if (a.kind === 'sum' && b.kind === 'sum') {
        a.value += b.value;
        a.seen += b.seen;
      } else if ((a.kind === 'min' || a.kind === 'max') && (b.kind === 'min' || b.kind === 'max')) {
        if (
          b.value !== null &&
          (a.value === null || (a.kind === 'min' ? b.value < a.value : b.value > a.value))
        ) {
          a.value = b.value;
        }
      } else if (a.kind === 'unique' && b.kind === 'unique') {
        a.sketch.merge(b.sketch);
      } else if (a.kind === 'quantiles' && b.kind === 'quantiles') {
        a.sketch.merge(b.sketch);
      }
    }
    return this;
  }

  /**
   * The values a user reads: `count` and sums exact, `unique` the
   * HyperLogLog estimate rounded, quantiles keyed `p50`, `p95`, `p99.9`.
   */
  values(quantiles: readonly number[]): Record<string, MeasureValue> {
    const out: Record<string, MeasureValue> = {};
    for (const m of this.measures) {
      const s = this.states.get(m.name) as MeasureState;
      switch (s.kind) {
        case 'count':
          out[m.name] = this.count;
          break;
        case 'sum':
          out[m.name] = s.value;
          break;
        case 'min':
        case 'max':
          out[m.name] = s.value;
          break;
        case 'unique':
          out[m.name] = Math.round(s.sketch.estimate());
          break;
        case 'quantiles': {
          const qs: Record<string, number | null> = {};
          for (const q of quantiles) {
            const v = s.sketch.quantile(q);
            qs[quantileLabel(q)] = Number.isNaN(v) ? null : v;
          }
          out[m.name] = qs;
          break;
        }
      }
    }
    return out;
  }

  /** One measure's value for ranking (a quantile for quantiles measures); null when it has none. */
  rankValue(measure: string, quantile: number | undefined): number | null {
    const s = this.states.get(measure);
    if (!s) return null;
    switch (s.kind) {
      case 'count':
        return this.count;
      case 'sum':
      case 'min':
      case 'max':
        return s.value;
      case 'unique':
        return Math.round(s.sketch.estimate());
      case 'quantiles': {
        const v = s.sketch.quantile(quantile ?? 0.5);
        return Number.isNaN(v) ? null : v;
      }
    }
  }

  /** Versioned bytes: magic, version, a JSON header (count, exact values, sketch lengths), then the sketches. */
  serialize(): Uint8Array {
    const header: Record<string, unknown> = { count: this.count };
    const exact: Record<string, unknown> = {};
    const sketches: Array<[string, Uint8Array]> = [];
    for (const [name, s] of this.states) {
      if (s.kind === 'sum') exact[name] = [s.value, s.seen];
      else if (s.kind === 'min' || s.kind === 'max') exact[name] = s.value;
      else if (s.kind === 'unique' || s.kind === 'quantiles') sketches.push([name, s.sketch.serialize()]);
    }
    header.exact = exact;
    header.sketches = sketches.map(([name, bytes]) => [name, bytes.length]);
    const json = new TextEncoder().encode(JSON.stringify(header));
    const size = 3 + 4 + json.length + sketches.reduce((n, [, b]) => n + b.length, 0);
    const out = new Uint8Array(size);
    out[0] = MAGIC.charCodeAt(0);
    out[1] = MAGIC.charCodeAt(1);
    out[2] = VERSION;
    new DataView(out.buffer).setUint32(3, json.length, true);
    out.set(json, 7);
    let at = 7 + json.length;
    for (const [, b] of sketches) {
      out.set(b, at);
      at += b.length;
    }
    return out;
  }

  /**
   * Reads stored bytes against the rollup's current measures: a measure added
   * since starts empty, one removed is dropped, a sketch whose precision or
   * compression changed is read as stored (merges with a different HyperLogLog
   * precision are refused: rebuild the rollup).
   */
  static deserialize(bytes: Uint8Array, measures: readonly CompiledMeasure[]): BucketState {
    const what = 'rollup bucket';
    if (bytes.length < 7 || bytes[0] !== MAGIC.charCodeAt(0) || bytes[1] !== MAGIC.charCodeAt(1)) {
      throw sketchBytesError(what, `${bytes.length} bytes without the bucket header`);
    }
    if (bytes[2] !== VERSION)
      throw sketchBytesError(what, `format version ${bytes[2]}; this gapwarden reads ${VERSION}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const jsonLength = view.getUint32(3, true);
    if (7 + jsonLength > bytes.length) throw sketchBytesError(what, 'a header longer than the bytes');
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(7, 7 + jsonLength))) as {
      count: number;
      exact: Record<string, unknown>;
      sketches: Array<[string, number]>;
    };
    const state = new BucketState(measures);
    state.count = header.count;
    for (const [name, v] of Object.entries(header.exact)) {
      const s = state.states.get(name);
      if (s?.kind === 'sum' && Array.isArray(v)) {
        s.value = Number(v[0]);
        s.seen = Number(v[1]);
      } else if ((s?.kind === 'min' || s?.kind === 'max') && (typeof v === 'number' || v === null)) {
        s.value = v;
      }
    }
    let at = 7 + jsonLength;
    for (const [name, length] of header.sketches) {
      const part = bytes.subarray(at, at + length);
      if (part.length !== length) throw sketchBytesError(what, `sketch "${name}" cut short`);
      at += length;
      const s = state.states.get(name);
      if (s?.kind === 'unique') s.sketch = HyperLogLog.deserialize(part);
      else if (s?.kind === 'quantiles') s.sketch = TDigest.deserialize(part);
    }
    return state;
  }
}

/** `0.95` → `p95`, `0.999` → `p99.9`, `0.5` → `p50`. */
export function quantileLabel(q: number): string {
  return `p${Number((q * 100).toFixed(6))}`;
}

function numberOf(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  return typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
}

function adderOf(state: MeasureState, field: string): (payload: Record<string, unknown>) => void {
  switch (state.kind) {
    case 'unique':
      return (p) => {
        const raw = p[field];
        if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean')
          state.sketch.add(raw);
      };
    case 'quantiles':
      return (p) => {
        const v = numberOf(p[field]);
        if (Number.isFinite(v)) state.sketch.add(v);
      };
    case 'sum':
      return (p) => {
        const v = numberOf(p[field]);
        if (!Number.isFinite(v)) return;
        state.value += v;
        state.seen++;
      };
    case 'min':
      return (p) => {
        const v = numberOf(p[field]);
        if (Number.isFinite(v) && (state.value === null || v < state.value)) state.value = v;
      };
    case 'max':
      return (p) => {
        const v = numberOf(p[field]);
        if (Number.isFinite(v) && (state.value === null || v > state.value)) state.value = v;
      };
    default:
      return () => {};
  }
}

function fresh(m: CompiledMeasure): MeasureState {
  switch (m.kind) {
    case 'count':
      return { kind: 'count' };
    case 'sum':
      return { kind: 'sum', value: 0, seen: 0 };
    case 'min':
    case 'max':
      return { kind: m.kind, value: null };
    case 'unique':
      return { kind: 'unique', sketch: new HyperLogLog(m.precision) };
    case 'quantiles':
      return { kind: 'quantiles', sketch: new TDigest(m.compression) };
  }
}

import { type Hash64, hash64 } from './hash64.js';
import {
  readSketchHeader,
  SKETCH_HEADER_BYTES,
  sketchBytesError,
  writeSketchHeader,
} from './sketch-bytes.js';

/** The precision gapwarden uses unless told otherwise: 2^14 registers, ~0.81% standard error, 16 KiB dense. */
export const DEFAULT_HLL_PRECISION = 14;
/** Precisions accepted: 4 (16 registers, 26% error) to 18 (262,144 registers, 0.2% error). */
export const MIN_HLL_PRECISION = 4;
export const MAX_HLL_PRECISION = 18;

const MAGIC = 'HL';
/** Version 1: byte 3 the precision, byte 4 the layout (0 dense, 1 sparse), then the registers. */
const VERSION = 1;
const DENSE = 0;
const SPARSE = 1;

/** The relative standard error of a HyperLogLog of precision `p`: 1.04 / sqrt(2^p). */
export function hllStandardError(precision: number): number {
  return 1.04 / Math.sqrt(2 ** precision);
}

/**
 * A HyperLogLog cardinality sketch (Flajolet, Fusy, Gandouet, Meunier 2007)
 * over a 64-bit hash, estimated with Ertl's improved raw estimator ("New
 * cardinality estimation algorithms for HyperLogLog sketches", 2017), which
 * is unbiased from 0 to far beyond 2^32 without the empirical bias tables of
 * HyperLogLog++ or a switch to linear counting.
 *
 * Registers are one byte each. Merging takes the maximum per register, so it
 * is associative, commutative and idempotent: merging a sketch twice changes
 * nothing, and the union of two buckets is exact in sketch terms.
 *
 * @example
 * const clients = new HyperLogLog(14);
 * for (const e of events) clients.add(e.client);
 * clients.estimate(); // ~ distinct clients, within ~0.8% (one standard error)
 */
export class HyperLogLog {
  readonly precision: number;
  readonly registers: Uint8Array;
  private readonly scratch: Hash64 = { hi: 0, lo: 0 };

  constructor(precision: number = DEFAULT_HLL_PRECISION, registers?: Uint8Array) {
    if (!Number.isInteger(precision) || precision < MIN_HLL_PRECISION || precision > MAX_HLL_PRECISION) {
      throw new RangeError(
        `HyperLogLog precision must be an integer from ${MIN_HLL_PRECISION} to ${MAX_HLL_PRECISION}, got ${precision}`,
      );
    }
    this.precision = precision;
    this.registers = registers ?? new Uint8Array(1 << precision);
  }

  /** Adds a value; numbers and strings that print the same count as one value (`7` and `"7"`). */
  add(value: string | number | boolean): void {
    const h = hash64(typeof value === 'string' ? value : String(value), this.scratch);
    this.addHash(h.hi, h.lo);
  }

  /** Adds a value already hashed to 64 bits (`hi`, `lo` unsigned 32-bit halves). */
  addHash(hi: number, lo: number): void {
    const p = this.precision;
    const index = hi >>> (32 - p);
    // The rank of the remaining 64 - p bits: the position of their first 1, or 64 - p + 1 when all are 0.
    const rest = (hi << p) >>> 0;
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 32 - p + (lo !== 0 ? Math.clz32(lo) + 1 : 33);
    if (rank > (this.registers[index] ?? 0)) this.registers[index] = rank;
  }

  /** Folds `other` into this sketch (register-wise maximum). Both must have the same precision. */
  merge(other: HyperLogLog): this {
    if (other.precision !== this.precision) {
      throw new RangeError(
        `cannot merge HyperLogLog sketches of precision ${other.precision} into ${this.precision}: rebuild them with one precision`,
      );
    }
    const a = this.registers;
    const b = other.registers;
    for (let i = 0; i < a.length; i++) {
      const v = b[i] as number;
      if (v > (a[i] as number)) a[i] = v;
    }
    return this;
  }

  /** A copy that shares nothing with this one. */
  clone(): HyperLogLog {
    return new HyperLogLog(this.precision, this.registers.slice());
  }

  /** The estimated number of distinct values added (Ertl's improved raw estimator). */
  estimate(): number {
    const m = this.registers.length;
    const q = 64 - this.precision;
    const counts = new Float64Array(q + 2);
    for (let i = 0; i < m; i++)
      counts[this.registers[i] as number] = (counts[this.registers[i] as number] as number) + 1;
    if ((counts[0] as number) === m) return 0;
    let z = m * tau(1 - (counts[q + 1] as number) / m);
    for (let k = q; k >= 1; k--) z = 0.5 * (z + (counts[k] as number));
    z += m * sigma((counts[0] as number) / m);
    return (m * m) / (2 * Math.LN2 * z);
  }

  /**
   * The versioned bytes of this sketch: sparse (index and value of each set
   * register, 4 bytes each) while fewer than a quarter of the registers are
   * set, dense (one byte per register) beyond.
   */
  serialize(): Uint8Array {
    const m = this.registers.length;
    const regs = this.registers;
    let set = 0;
    for (let i = 0; i < m; i++) if (regs[i] !== 0) set++;
    const head = SKETCH_HEADER_BYTES + 2;
    if (set * 4 < m) {
      const out = new Uint8Array(head + 4 + set * 4);
      writeSketchHeader(out, MAGIC, VERSION);
      out[3] = this.precision;
      out[4] = SPARSE;
      new DataView(out.buffer).setUint32(head, set, true);
      // Little-endian words of 24 bits of index (precision ≤ 18) and 8 bits of value, written byte by byte.
      let at = head + 4;
      for (let i = 0; i < m; i++) {
        const v = regs[i] as number;
        if (v === 0) continue;
        out[at] = v;
        out[at + 1] = i & 0xff;
        out[at + 2] = (i >>> 8) & 0xff;
        out[at + 3] = (i >>> 16) & 0xff;
        at += 4;
      }
      return out;
    }
    const out = new Uint8Array(head + m);
    writeSketchHeader(out, MAGIC, VERSION);
    out[3] = this.precision;
    out[4] = DENSE;
    out.set(this.registers, head);
    return out;
  }

  /** Reads bytes written by `serialize` (of any version this reader knows). */
  static deserialize(bytes: Uint8Array): HyperLogLog {
    const what = 'HyperLogLog sketch';
    readSketchHeader(bytes, MAGIC, what, [VERSION]);
    const head = SKETCH_HEADER_BYTES + 2;
    if (bytes.length < head) throw sketchBytesError(what, `${bytes.length} bytes, no precision and layout`);
    const precision = bytes[3] as number;
    if (precision < MIN_HLL_PRECISION || precision > MAX_HLL_PRECISION) {
      throw sketchBytesError(what, `precision ${precision}`);
    }
    const m = 1 << precision;
    const maxRank = 64 - precision + 1;
    const sketch = new HyperLogLog(precision);
    if (bytes[4] === DENSE) {
      if (bytes.length !== head + m)
        throw sketchBytesError(what, `${bytes.length} bytes, expected ${head + m}`);
      for (let i = 0; i < m; i++) {
        const v = bytes[head + i] as number;
        if (v > maxRank) throw sketchBytesError(what, `register ${i} = ${v}, above ${maxRank}`);
        sketch.registers[i] = v;
      }
      return sketch;
    }
    if (bytes[4] !== SPARSE) throw sketchBytesError(what, `layout ${bytes[4]}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const set = bytes.length >= head + 4 ? view.getUint32(head, true) : -1;
    if (set < 0 || bytes.length !== head + 4 + set * 4) {
      throw sketchBytesError(what, `${bytes.length} bytes for a sparse sketch of ${set} registers`);
    }
    for (let k = 0; k < set; k++) {
      const word = view.getUint32(head + 4 + k * 4, true);
      const index = word >>> 8;
      const v = word & 0xff;
      if (index >= m || v > maxRank)
        throw sketchBytesError(what, `sparse entry ${k}: register ${index} = ${v}`);
      sketch.registers[index] = v;
    }
    return sketch;
  }
}

/** Ertl 2017, algorithm 6: the correction for registers still at 0. */
function sigma(x0: number): number {
  if (x0 === 1) return Number.POSITIVE_INFINITY;
  let x = x0;
  let y = 1;
  let z = x;
  let prev: number;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (z !== prev);
  return z;
}

/** Ertl 2017, algorithm 6: the correction for registers at their maximum. */
function tau(x0: number): number {
  if (x0 === 0 || x0 === 1) return 0;
  let x = x0;
  let y = 1;
  let z = 1 - x;
  let prev: number;
  do {
    x = Math.sqrt(x);
    prev = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (z !== prev);
  return z / 3;
}

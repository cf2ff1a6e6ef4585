import {
  readSketchHeader,
  SKETCH_HEADER_BYTES,
  sketchBytesError,
  writeSketchHeader,
} from './sketch-bytes.js';

/** The compression gapwarden uses unless told otherwise: ~140 centroids kept, ~2.3 KiB serialised. */
export const DEFAULT_TDIGEST_COMPRESSION = 200;
export const MIN_TDIGEST_COMPRESSION = 20;
export const MAX_TDIGEST_COMPRESSION = 5000;

const MAGIC = 'TD';
/** Version 1: compression, count, min, max (float64), centroid count (uint32), then means and weights (float64). */
const VERSION = 1;

/**
 * A merging t-digest (Dunning and Ertl, "Computing extremely accurate
 * quantiles using t-digests", 2019) with the k2 scale function
 * k(q) = δ/Z(n)·ln(q/(1 − q)): centroids are small near the tails, so
 * p99 and p99.9 stay accurate while the median is summarised coarsely.
 *
 * Values are buffered and merged into the centroids in sorted passes, which
 * keeps `add` at a few nanoseconds. Merging two digests folds the other's
 * centroids in as weighted points; the result is a valid digest of the union
 * (the order of merges changes centroids slightly, not the accuracy bound).
 *
 * @example
 * const latency = new TDigest(100);
 * for (const e of events) latency.add(e.latencyMs);
 * latency.quantile(0.95); // p95
 */
export class TDigest {
  readonly compression: number;
  private means: Float64Array;
  private weights: Float64Array;
  private centroids = 0;
  private readonly bufMeans: Float64Array;
  private readonly bufWeights: Float64Array;
  private buffered = 0;
  private total = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  constructor(compression: number = DEFAULT_TDIGEST_COMPRESSION) {
    if (
      !Number.isFinite(compression) ||
      compression < MIN_TDIGEST_COMPRESSION ||
      compression > MAX_TDIGEST_COMPRESSION
    ) {
      throw new RangeError(
        `t-digest compression must be from ${MIN_TDIGEST_COMPRESSION} to ${MAX_TDIGEST_COMPRESSION}, got ${compression}`,
      );
    }
    this.compression = compression;
    // The k2 scale keeps ~δ/2 centroids; 2δ leaves room, and `push` grows the arrays if ever needed.
    const size = Math.ceil(2 * compression) + 10;
    this.means = new Float64Array(size);
    this.weights = new Float64Array(size);
    const buffer = Math.ceil(5 * compression);
    this.bufMeans = new Float64Array(buffer);
    this.bufWeights = new Float64Array(buffer);
  }

  /** How many values were added (the sum of weights). */
  get count(): number {
    return this.total + this.pendingWeight();
  }

  /** The smallest value added (exact), or NaN when empty. */
  get min(): number {
    return this.count === 0 ? Number.NaN : this.lo;
  }

  /** The largest value added (exact), or NaN when empty. */
  get max(): number {
    return this.count === 0 ? Number.NaN : this.hi;
  }

  /** Adds a value (a weight > 1 adds it that many times). NaN and infinities are refused. */
  add(value: number, weight = 1): void {
    if (!Number.isFinite(value)) throw new RangeError(`t-digest values must be finite numbers, got ${value}`);
    if (!(weight > 0)) throw new RangeError(`t-digest weights must be positive, got ${weight}`);
    if (this.buffered === this.bufMeans.length) this.compress();
    this.bufMeans[this.buffered] = value;
    this.bufWeights[this.buffered] = weight;
    this.buffered++;
    if (value < this.lo) this.lo = value;
    if (value > this.hi) this.hi = value;
  }

  /** Folds `other` into this digest (its centroids as weighted points); `other` is not changed. */
  merge(other: TDigest): this {
    other.compress();
    for (let i = 0; i < other.centroids; i++) {
      if (this.buffered === this.bufMeans.length) this.compress();
      this.bufMeans[this.buffered] = other.means[i] as number;
      this.bufWeights[this.buffered] = other.weights[i] as number;
      this.buffered++;
    }
    if (other.centroids > 0) {
      if (other.lo < this.lo) this.lo = other.lo;
      if (other.hi > this.hi) this.hi = other.hi;
    }
    return this;
  }

  /** A copy that shares nothing with this one. */
  clone(): TDigest {
    this.compress();
    const copy = new TDigest(this.compression);
    copy.means = this.means.slice();
    copy.weights = this.weights.slice();
    copy.centroids = this.centroids;
    copy.total = this.total;
    copy.lo = this.lo;
    copy.hi = this.hi;
    return copy;
  }

  /** The centroids after merging what is buffered: `[mean, weight]` pairs in ascending order. */
  centroidList(): Array<[number, number]> {
    this.compress();
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.centroids; i++) out.push([this.means[i] as number, this.weights[i] as number]);
    return out;
  }

  /**
   * The estimated value at quantile `q` (0 ≤ q ≤ 1), interpolating between
   * centroid centres (singletons are exact), with the exact min and max at
   * the ends. NaN when empty.
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`a quantile must be from 0 to 1, got ${q}`);
    this.compress();
    const n = this.centroids;
    if (n === 0) return Number.NaN;
    const means = this.means;
    const weights = this.weights;
    const total = this.total;
    if (n === 1) return means[0] as number;
    const index = q * total;
    if (index < 1) return this.lo;
    const w0 = weights[0] as number;
    if (w0 > 1 && index < w0 / 2)
      return this.lo + ((index - 1) / (w0 / 2 - 1)) * ((means[0] as number) - this.lo);
    if (index > total - 1) return this.hi;
    const wn = weights[n - 1] as number;
    if (wn > 1 && total - index <= wn / 2) {
      return this.hi - ((total - index - 1) / (wn / 2 - 1)) * (this.hi - (means[n - 1] as number));
    }
    let soFar = w0 / 2;
    for (let i = 0; i < n - 1; i++) {
      const wi = weights[i] as number;
      const wj = weights[i + 1] as number;
      const dw = (wi + wj) / 2;
      if (soFar + dw > index) {
        let leftUnit = 0;
        if (wi === 1) {
          if (index - soFar < 0.5) return means[i] as number;
          leftUnit = 0.5;
        }
        let rightUnit = 0;
        if (wj === 1) {
          if (soFar + dw - index <= 0.5) return means[i + 1] as number;
          rightUnit = 0.5;
        }
        const z1 = index - soFar - leftUnit;
        const z2 = soFar + dw - index - rightUnit;
        return weightedAverage(means[i] as number, z2, means[i + 1] as number, z1);
      }
      soFar += dw;
    }
    const z1 = index - total - wn / 2;
    const z2 = wn / 2 - z1;
    return weightedAverage(means[n - 1] as number, z1, this.hi, z2);
  }

  /** The versioned bytes of this digest (after merging what is buffered). */
  serialize(): Uint8Array {
    this.compress();
    const n = this.centroids;
    const head = SKETCH_HEADER_BYTES + 1 + 8 * 4 + 4;
    const out = new Uint8Array(head + n * 16);
    writeSketchHeader(out, MAGIC, VERSION);
    const view = new DataView(out.buffer);
    const base = SKETCH_HEADER_BYTES + 1;
    view.setFloat64(base, this.compression, true);
    view.setFloat64(base + 8, this.total, true);
    view.setFloat64(base + 16, this.lo, true);
    view.setFloat64(base + 24, this.hi, true);
    view.setUint32(base + 32, n, true);
    let at = head;
    for (let i = 0; i < n; i++, at += 8) view.setFloat64(at, this.means[i] as number, true);
    for (let i = 0; i < n; i++, at += 8) view.setFloat64(at, this.weights[i] as number, true);
    return out;
  }

  /** Reads bytes written by `serialize` (of any version this reader knows). */
  static deserialize(bytes: Uint8Array): TDigest {
    const what = 't-digest';
    readSketchHeader(bytes, MAGIC, what, [VERSION]);
    const head = SKETCH_HEADER_BYTES + 1 + 8 * 4 + 4;
    if (bytes.length < head)
      throw sketchBytesError(what, `${bytes.length} bytes, shorter than its ${head}-byte header`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const base = SKETCH_HEADER_BYTES + 1;
    const compression = view.getFloat64(base, true);
    const total = view.getFloat64(base + 8, true);
    const lo = view.getFloat64(base + 16, true);
    const hi = view.getFloat64(base + 24, true);
    const n = view.getUint32(base + 32, true);
    let at = head;
    if (bytes.length !== head + n * 16) {
      throw sketchBytesError(what, `${bytes.length} bytes for ${n} centroids (expected ${head + n * 16})`);
    }
    if (!(compression >= MIN_TDIGEST_COMPRESSION && compression <= MAX_TDIGEST_COMPRESSION)) {
      throw sketchBytesError(what, `compression ${compression}`);
    }
    const digest = new TDigest(compression);
    if (n > digest.means.length) {
      digest.means = new Float64Array(n);
      digest.weights = new Float64Array(n);
    }
    let sum = 0;
    for (let i = 0; i < n; i++, at += 8) digest.means[i] = view.getFloat64(at, true);
    for (let i = 0; i < n; i++, at += 8) {
      const w = view.getFloat64(at, true);
      if (!(w > 0)) throw sketchBytesError(what, `centroid ${i} has weight ${w}`);
      digest.weights[i] = w;
      sum += w;
    }
    if (Math.abs(sum - total) > 1e-6 * Math.max(1, total)) {
      throw sketchBytesError(what, `centroid weights sum to ${sum}, the header says ${total}`);
    }
    digest.centroids = n;
    digest.total = total;
    digest.lo = n === 0 ? Number.POSITIVE_INFINITY : lo;
    digest.hi = n === 0 ? Number.NEGATIVE_INFINITY : hi;
    return digest;
  }

  private pendingWeight(): number {
    let w = 0;
    for (let i = 0; i < this.buffered; i++) w += this.bufWeights[i] as number;
    return w;
  }

  /**
   * Merges the buffer into the centroids in one sorted pass, each centroid
   * as large as the scale allows. Unit-weight input (plain `add`) is sorted
   * natively and merged with the already sorted centroids; weighted input
   * (from `merge`) is sorted through an index.
   */
  private compress(): void {
    if (this.buffered === 0) return;
    let bMeans = this.bufMeans.subarray(0, this.buffered);
    let bWeights = this.bufWeights.subarray(0, this.buffered);
    let unit = true;
    for (let i = 0; i < this.buffered; i++) {
      if (bWeights[i] !== 1) {
        unit = false;
        break;
      }
    }
    if (unit) {
      bMeans.sort();
    } else {
      const order = new Uint32Array(this.buffered);
      for (let i = 0; i < order.length; i++) order[i] = i;
      const m = bMeans;
      order.sort((a, b) => (m[a] as number) - (m[b] as number));
      const sortedMeans = new Float64Array(order.length);
      const sortedWeights = new Float64Array(order.length);
      for (let i = 0; i < order.length; i++) {
        sortedMeans[i] = m[order[i] as number] as number;
        sortedWeights[i] = bWeights[order[i] as number] as number;
      }
      bMeans = sortedMeans;
      bWeights = sortedWeights;
    }
    let total = this.total;
    for (let i = 0; i < this.buffered; i++) total += bWeights[i] as number;

    const aMeans = this.means;
    const aWeights = this.weights;
    const aN = this.centroids;
    const bN = this.buffered;
    this.means = new Float64Array(aMeans.length);
    this.weights = new Float64Array(aWeights.length);
    const delta = this.compression;
    let i = 0;
    let j = 0;
    let mean = 0;
    let weight = 0;
    let soFar = 0;
    const norm = k2Normalizer(total, delta);
    let limit = total * kToQ(qToK(0, norm), norm);
    let n = 0;
    while (i < aN || j < bN) {
      let x: number;
      let w: number;
      if (j >= bN || (i < aN && (aMeans[i] as number) <= (bMeans[j] as number))) {
        x = aMeans[i] as number;
        w = aWeights[i] as number;
        i++;
      } else {
        x = bMeans[j] as number;
        w = bWeights[j] as number;
        j++;
      }
      if (weight === 0) {
        mean = x;
        weight = w;
      } else if (soFar + weight + w <= limit) {
        weight += w;
        mean += (x - mean) * (w / weight);
      } else {
        soFar += weight;
        n = this.push(n, mean, weight);
        limit = total * kToQ(qToK(soFar / total, norm) + 1, norm);
        mean = x;
        weight = w;
      }
    }
    n = this.push(n, mean, weight);
    this.centroids = n;
    this.total = total;
    this.buffered = 0;
  }

  private push(n: number, mean: number, weight: number): number {
    if (n === this.means.length) {
      const means = new Float64Array(n * 2);
      const weights = new Float64Array(n * 2);
      means.set(this.means);
      weights.set(this.weights);
      this.means = means;
      this.weights = weights;
    }
    this.means[n] = mean;
    this.weights[n] = weight;
    return n + 1;
  }
}

/**
 * The k2 scale: k(q) = δ/Z(n) · ln(q / (1 − q)), Z(n) = 4·ln(n/δ) + 24. A
 * centroid spans one unit of k, so its share of the data is ~(Z/δ)·q(1 − q):
 * tiny at both tails (p99.9 stays close), coarse at the median. `norm` is
 * δ / Z(n).
 */
function k2Normalizer(total: number, delta: number): number {
  return delta / (4 * Math.log(Math.max(total, delta) / delta) + 24);
}

function qToK(q: number, norm: number): number {
  if (q <= 0) return Number.NEGATIVE_INFINITY;
  if (q >= 1) return Number.POSITIVE_INFINITY;
  return norm * Math.log(q / (1 - q));
}

/** The inverse of k2. */
function kToQ(k: number, norm: number): number {
  if (k === Number.POSITIVE_INFINITY) return 1;
  if (k === Number.NEGATIVE_INFINITY) return 0;
  const w = Math.exp(k / norm);
  return w / (1 + w);
}

function weightedAverage(x1: number, w1: number, x2: number, w2: number): number {
  const lo = Math.min(x1, x2);
  const hi = Math.max(x1, x2);
  const v = (x1 * w1 + x2 * w2) / (w1 + w2);
  return Math.max(lo, Math.min(hi, v));
}

/**
 * Deterministic, realistic test data for the sketch tests and the sketch
 * benchmark: a seeded generator (mulberry32), log-normal request latencies and
 * Zipf-skewed client addresses, like an API gateway's events.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` latencies in milliseconds, log-normal (median ~20 ms, a long tail into seconds). */
export function latencies(count: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const u = random() || 1e-12;
    const v = random();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    out[i] = Math.round(Math.exp(3 + 0.9 * normal) * 1000) / 1000;
  }
  return out;
}

/** An IPv4-looking client address for client number `n` of a population tagged `population`. */
export function clientAddress(n: number, population = 0): string {
  return `10.${population & 255}.${(n >>> 8) & 255}.${n & 255}:${n >>> 16}`;
}

/** `count` requests from `distinct` clients, skewed (a few clients send most requests), every client at least once. */
export function clientRequests(count: number, distinct: number, seed: number, population = 0): string[] {
  const random = seededRandom(seed);
  const out: string[] = [];
  for (let i = 0; i < distinct && i < count; i++) out.push(clientAddress(i, population));
  while (out.length < count) out.push(clientAddress(Math.floor(distinct * random() ** 3), population));
  return out;
}

/** The value at quantile `q` of sorted `values` (nearest rank), and the fraction of values below `x`. */
export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export function rankOf(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  // Ties: the middle of the run of values equal to x.
  let end = lo;
  while (end < sorted.length && sorted[end] === x) end++;
  return (lo + end) / 2 / sorted.length;
}

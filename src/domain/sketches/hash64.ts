/**
 * A 64-bit string hash as two 32-bit halves, for the HyperLogLog sketch.
 * Two multiply-xor lanes over the UTF-16 code units, then the MurmurHash3
 * finaliser on each lane crossed with the other (the construction of
 * cyrb53): cheap in JavaScript (no BigInt), and its bits are close enough to
 * uniform that HyperLogLog's error matches theory (asserted in the tests).
 * Stable across versions: serialised sketches depend on it, so changing it
 * needs a new sketch serialisation version.
 */
export interface Hash64 {
  /** The high 32 bits, unsigned. */
  hi: number;
  /** The low 32 bits, unsigned. */
  lo: number;
}

/** Hashes `text` into `out` (reused, so the hot path allocates nothing) and returns it. */
export function hash64(text: string, out: Hash64 = { hi: 0, lo: 0 }): Hash64 {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // A last avalanche round on each lane so that every input bit reaches every output bit.
  h1 = fmix32(h1 ^ text.length);
  h2 = fmix32(h2 ^ h1);
  out.hi = h1 >>> 0;
  out.lo = h2 >>> 0;
  return out;
}

function fmix32(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}

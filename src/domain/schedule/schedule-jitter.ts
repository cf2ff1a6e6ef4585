/**
 * A number in [0, 1) that looks random but depends only on `seed` and `n`
 * (FNV-1a over the seed, then murmur3's finaliser over the number), so the
 * same job and due time always get the same jitter, in tests and across
 * restarts and processes.
 *
 * @example
 * seededUnit('prices', 1767225600000) === seededUnit('prices', 1767225600000); // true
 */
export function seededUnit(seed: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h = fmix32(h ^ (n >>> 0));
  h = fmix32(h ^ (Math.floor(n / 4_294_967_296) >>> 0));
  return (h >>> 0) / 4_294_967_296;
}

function fmix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * The start of job `jobId`'s run due at `dueMs`: a whole-millisecond delay in
 * [0, jitterMs) after the due time. The due time itself is unchanged; it stays
 * the run's identity.
 */
export function jitteredStart(jobId: string, dueMs: number, jitterMs: number): number {
  if (!(jitterMs > 0)) return dueMs;
  return dueMs + Math.floor(seededUnit(jobId, dueMs) * jitterMs);
}

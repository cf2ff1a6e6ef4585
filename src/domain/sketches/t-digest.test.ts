import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exactQuantile, latencies, rankOf } from './sketch-test-data.js';
import { DEFAULT_TDIGEST_COMPRESSION, TDigest } from './t-digest.js';

function digestOf(values: Float64Array, compression = DEFAULT_TDIGEST_COMPRESSION): TDigest {
  const d = new TDigest(compression);
  for (const v of values) d.add(v);
  return d;
}

/** The documented accuracy at the default compression (docs/rollups.md): rank error and value error. */
const BOUNDS: ReadonlyArray<{ q: number; rank: number; value: number }> = [
  { q: 0.5, rank: 0.003, value: 0.01 },
  { q: 0.9, rank: 0.003, value: 0.01 },
  { q: 0.95, rank: 0.002, value: 0.01 },
  { q: 0.99, rank: 0.0005, value: 0.01 },
  { q: 0.999, rank: 0.0002, value: 0.02 },
];

function assertAccurate(d: TDigest, sorted: Float64Array, label: string): void {
  for (const { q, rank, value } of BOUNDS) {
    const est = d.quantile(q);
    const exact = exactQuantile(sorted, q);
    const rankErr = Math.abs(rankOf(sorted, est) - q);
    const valueErr = Math.abs(est / exact - 1);
    assert.ok(
      rankErr <= rank,
      `${label} q=${q}: rank error ${rankErr} > ${rank} (est ${est}, exact ${exact})`,
    );
    assert.ok(
      valueErr <= value,
      `${label} q=${q}: value error ${valueErr} > ${value} (est ${est}, exact ${exact})`,
    );
  }
}

describe('t-digest accuracy against exact quantiles', () => {
  const values = latencies(200_000, 7);
  const sorted = Float64Array.from(values).sort();

  test('log-normal latencies: p50 to p99.9 within the documented rank and value errors', () => {
    const d = digestOf(values);
    assertAccurate(d, sorted, 'one digest');
    assert.equal(d.count, values.length);
    assert.equal(d.min, sorted[0]);
    assert.equal(d.max, sorted[sorted.length - 1]);
    assert.equal(d.quantile(0), sorted[0]);
    assert.equal(d.quantile(1), sorted[sorted.length - 1]);
    assert.ok(d.centroidList().length <= DEFAULT_TDIGEST_COMPRESSION, `${d.centroidList().length} centroids`);
  });

  test('a higher compression is more accurate at the median', () => {
    const coarse = Math.abs(rankOf(sorted, digestOf(values, 50).quantile(0.5)) - 0.5);
    const fine = Math.abs(rankOf(sorted, digestOf(values, 1000).quantile(0.5)) - 0.5);
    assert.ok(fine < coarse, `δ=1000 rank error ${fine} vs δ=50 ${coarse}`);
    assert.ok(fine < 0.0005, `${fine}`);
  });

  test('few values are exact', () => {
    const d = new TDigest();
    for (const v of [5, 1, 3]) d.add(v);
    assert.equal(d.quantile(0), 1);
    assert.equal(d.quantile(0.5), 3);
    assert.equal(d.quantile(1), 5);
    assert.ok(Number.isNaN(new TDigest().quantile(0.5)));
    const one = new TDigest();
    one.add(42);
    assert.equal(one.quantile(0.99), 42);
  });

  test('bad input is refused with what was wrong', () => {
    const d = new TDigest();
    assert.throws(() => d.add(Number.NaN), /finite numbers, got NaN/);
    assert.throws(() => d.quantile(1.5), /from 0 to 1, got 1.5/);
    assert.throws(() => new TDigest(5), /compression must be from 20/);
  });
});

describe('t-digest merge', () => {
  const shards = [1, 2, 3, 4].map((seed) => latencies(50_000, 100 + seed));
  const all = new Float64Array(200_000);
  for (const [i, s] of shards.entries()) all.set(s, i * 50_000);
  const sorted = all.sort();

  test('digests merged in any grouping keep the count, min, max and the accuracy bounds', () => {
    const [a, b, c, d] = shards.map((s) => digestOf(s));
    if (!a || !b || !c || !d) throw new Error('four shards');
    const left = a.clone().merge(b).merge(c).merge(d);
    const right = a.clone().merge(b.clone().merge(c.clone().merge(d)));
    const pairs = a.clone().merge(b).merge(c.clone().merge(d));
    for (const [label, m] of [
      ['((a+b)+c)+d', left],
      ['a+(b+(c+d))', right],
      ['(a+b)+(c+d)', pairs],
    ] as const) {
      assert.equal(m.count, 200_000, label);
      assert.equal(m.min, sorted[0], label);
      assert.equal(m.max, sorted[sorted.length - 1], label);
      assertAccurate(m, sorted, label);
    }
    // Groupings agree with each other far more closely than with the bounds.
    for (const q of [0.5, 0.95, 0.99]) {
      assert.ok(Math.abs(left.quantile(q) / right.quantile(q) - 1) < 0.01, `q=${q}`);
    }
  });

  test('merging an empty digest changes nothing', () => {
    const a = digestOf(shards[0] as Float64Array);
    const before = a.quantile(0.95);
    a.merge(new TDigest());
    assert.equal(a.quantile(0.95), before);
  });
});

describe('t-digest serialisation', () => {
  test('round trip gives the same quantiles, count, min and max', () => {
    const d = digestOf(latencies(30_000, 3));
    const bytes = d.serialize();
    const back = TDigest.deserialize(bytes);
    for (const q of [0, 0.1, 0.5, 0.95, 0.99, 1]) assert.equal(back.quantile(q), d.quantile(q));
    assert.equal(back.count, d.count);
    assert.equal(back.compression, d.compression);
    assert.ok(bytes.length < 4000, `${bytes.length} bytes`);
    const empty = TDigest.deserialize(new TDigest(100).serialize());
    assert.equal(empty.count, 0);
    assert.ok(Number.isNaN(empty.min));
  });

  test('truncated, altered or foreign bytes are refused', () => {
    const bytes = digestOf(latencies(1000, 4)).serialize();
    assert.throws(() => TDigest.deserialize(bytes.subarray(0, bytes.length - 8)), /bytes for \d+ centroids/);
    const v2 = bytes.slice();
    v2[2] = 2;
    assert.throws(() => TDigest.deserialize(v2), /format version 2/);
    const weights = bytes.slice();
    weights[weights.length - 1] = 0x7f; // the last weight becomes huge: the sum no longer matches
    assert.throws(() => TDigest.deserialize(weights), /sum to/);
  });
});

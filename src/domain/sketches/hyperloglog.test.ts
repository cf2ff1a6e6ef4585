import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_HLL_PRECISION, HyperLogLog, hllStandardError } from './hyperloglog.js';
import { clientRequests } from './sketch-test-data.js';

function sketchOf(values: Iterable<string>, precision = DEFAULT_HLL_PRECISION): HyperLogLog {
  const h = new HyperLogLog(precision);
  for (const v of values) h.add(v);
  return h;
}

describe('HyperLogLog accuracy against exact distinct counts', () => {
  test('the default precision is 14, ~0.81% standard error', () => {
    assert.equal(DEFAULT_HLL_PRECISION, 14);
    assert.ok(Math.abs(hllStandardError(14) - 0.0081) < 0.0001);
  });

  test('skewed client traffic: RMS error over 24 hours of 30,000 clients stays within 1.25× the theory', () => {
    const errors: number[] = [];
    for (let hour = 0; hour < 24; hour++) {
      const requests = clientRequests(90_000, 30_000, hour + 1, hour);
      const exact = new Set(requests).size;
      assert.equal(exact, 30_000);
      const h = sketchOf(requests);
      const err = h.estimate() / exact - 1;
      // Any single bucket stays within 4 standard errors.
      assert.ok(Math.abs(err) < 4 * hllStandardError(14), `hour ${hour}: error ${err}`);
      errors.push(err);
    }
    const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    assert.ok(rms <= 1.25 * hllStandardError(14), `RMS error ${rms}`);
  });

  test('small counts are exact to within one', () => {
    for (const n of [0, 1, 2, 5, 17, 50, 100]) {
      const h = sketchOf(Array.from({ length: n * 3 }, (_, i) => `client-${i % n}`));
      assert.ok(Math.abs(h.estimate() - n) <= 1, `n=${n}: ${h.estimate()}`);
    }
  });

  test('a lower precision is configurable and its error follows 1.04/sqrt(m)', () => {
    const errors: number[] = [];
    for (let trial = 0; trial < 20; trial++) {
      const requests = clientRequests(20_000, 10_000, 100 + trial, trial);
      errors.push(sketchOf(requests, 10).estimate() / 10_000 - 1);
    }
    const rms = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    assert.ok(rms <= 1.3 * hllStandardError(10), `RMS error ${rms} vs theory ${hllStandardError(10)}`);
    assert.ok(rms >= 0.3 * hllStandardError(10), `suspiciously exact: ${rms}`);
  });

  test('numbers and their text count as one value; precisions out of range are refused', () => {
    const h = new HyperLogLog(12);
    h.add(42);
    h.add('42');
    assert.ok(Math.abs(h.estimate() - 1) < 0.01);
    assert.throws(() => new HyperLogLog(3), /precision must be an integer from 4 to 18/);
    assert.throws(() => new HyperLogLog(19), /precision/);
  });
});

describe('HyperLogLog merge', () => {
  const a = sketchOf(clientRequests(20_000, 8_000, 1, 1));
  const b = sketchOf(clientRequests(20_000, 8_000, 2, 2));
  const c = sketchOf(clientRequests(20_000, 8_000, 3, 1)); // overlaps a's population

  test('the merge of two sketches equals the sketch of the union', () => {
    const union = sketchOf([...clientRequests(20_000, 8_000, 1, 1), ...clientRequests(20_000, 8_000, 2, 2)]);
    assert.deepEqual(a.clone().merge(b).registers, union.registers);
    const est = a.clone().merge(b).estimate();
    assert.ok(Math.abs(est / 16_000 - 1) < 4 * hllStandardError(14), `union estimate ${est}`);
  });

  test('is associative, commutative and idempotent', () => {
    const left = a.clone().merge(b).merge(c);
    const right = a.clone().merge(b.clone().merge(c));
    const swapped = c.clone().merge(a).merge(b);
    assert.deepEqual(left.registers, right.registers);
    assert.deepEqual(left.registers, swapped.registers);
    assert.deepEqual(left.clone().merge(b).registers, left.registers);
    // a and c share their population: the union counts it once.
    assert.ok(Math.abs(left.estimate() / 16_000 - 1) < 4 * hllStandardError(14), `${left.estimate()}`);
  });

  test('sketches of different precisions are not merged', () => {
    assert.throws(() => new HyperLogLog(14).merge(new HyperLogLog(12)), /precision 12 into 14/);
  });
});

describe('HyperLogLog serialisation', () => {
  test('sparse and dense forms round-trip to the same registers', () => {
    const small = sketchOf(['a', 'b', 'c']);
    const big = sketchOf(clientRequests(50_000, 40_000, 9));
    const smallBytes = small.serialize();
    const bigBytes = big.serialize();
    assert.ok(smallBytes.length < 40, `sparse: ${smallBytes.length} bytes`);
    assert.equal(bigBytes.length, 5 + (1 << 14));
    assert.deepEqual(HyperLogLog.deserialize(smallBytes).registers, small.registers);
    assert.deepEqual(HyperLogLog.deserialize(bigBytes).registers, big.registers);
    assert.equal(HyperLogLog.deserialize(bigBytes).estimate(), big.estimate());
    const empty = new HyperLogLog(8);
    assert.equal(HyperLogLog.deserialize(empty.serialize()).precision, 8);
  });

  test('bytes of another sketch, another version or truncated are refused with a reason', () => {
    const bytes = sketchOf(['a', 'b']).serialize();
    const otherVersion = bytes.slice();
    otherVersion[2] = 9;
    assert.throws(() => HyperLogLog.deserialize(otherVersion), /format version 9; this gapwarden reads 1/);
    const otherMagic = bytes.slice();
    otherMagic[0] = 'T'.charCodeAt(0);
    assert.throws(() => HyperLogLog.deserialize(otherMagic), /magic/);
    assert.throws(
      () => HyperLogLog.deserialize(bytes.subarray(0, bytes.length - 1)),
      /bytes for a sparse sketch/,
    );
    const dense = sketchOf(clientRequests(50_000, 40_000, 9)).serialize();
    assert.throws(() => HyperLogLog.deserialize(dense.subarray(0, 100)), /expected/);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CompiledMeasure } from '../config/compiled-rollups.js';
import { BucketState, quantileLabel } from './bucket-state.js';

const MEASURES: CompiledMeasure[] = [
  { name: 'requests', kind: 'count' },
  { name: 'bytes', kind: 'sum', field: 'bytes' },
  { name: 'fastest', kind: 'min', field: 'ms' },
  { name: 'slowest', kind: 'max', field: 'ms' },
  { name: 'clients', kind: 'unique', field: 'client', precision: 12 },
  { name: 'latency', kind: 'quantiles', field: 'ms', compression: 100 },
];

const payload = (i: number) => ({ bytes: i * 10, ms: (i % 50) + 1, client: `c${i % 40}` });

describe('a rollup bucket', () => {
  test('exact measures are exact, sketches estimate; missing or non-numeric fields are skipped by their measure', () => {
    const b = new BucketState(MEASURES);
    for (let i = 0; i < 200; i++) b.add(payload(i));
    b.add({ bytes: 'n/a', client: null });
    const v = b.values([0.5, 0.999]);
    assert.equal(v.requests, 201);
    assert.equal(v.bytes, 199_000);
    assert.equal(v.fastest, 1);
    assert.equal(v.slowest, 50);
    assert.ok(Math.abs((v.clients as number) - 40) <= 1, `clients ${v.clients}`);
    assert.deepEqual(Object.keys(v.latency as object), ['p50', 'p99.9']);
    assert.ok(Math.abs(((v.latency as Record<string, number>).p50 as number) - 25.5) <= 1);
  });

  test('merging two halves equals one bucket of everything; bytes round-trip', () => {
    const whole = new BucketState(MEASURES);
    const a = new BucketState(MEASURES);
    const b = new BucketState(MEASURES);
    for (let i = 0; i < 500; i++) {
      whole.add(payload(i));
      (i % 3 === 0 ? a : b).add(payload(i));
    }
    const merged = BucketState.deserialize(a.serialize(), MEASURES).merge(
      BucketState.deserialize(b.serialize(), MEASURES),
    );
    const w = whole.values([0.5, 0.95]);
    const m = merged.values([0.5, 0.95]);
    for (const k of ['requests', 'bytes', 'fastest', 'slowest', 'clients']) assert.equal(m[k], w[k], k);
    const back = BucketState.deserialize(merged.serialize(), MEASURES);
    assert.deepEqual(back.values([0.5, 0.95]), m);
  });

  test('a measure added since the bytes were written starts empty; foreign bytes are refused', () => {
    const b = new BucketState(MEASURES.slice(0, 2));
    b.add(payload(3));
    const read = BucketState.deserialize(b.serialize(), MEASURES);
    assert.equal(read.values([0.5]).requests, 1);
    assert.equal(read.values([0.5]).slowest, null);
    const bytes = b.serialize();
    bytes[2] = 7;
    assert.throws(() => BucketState.deserialize(bytes, MEASURES), /format version 7/);
    assert.throws(() => BucketState.deserialize(new Uint8Array([1, 2, 3]), MEASURES), /bucket header/);
  });

  test('quantile labels', () => {
    assert.equal(quantileLabel(0.5), 'p50');
    assert.equal(quantileLabel(0.95), 'p95');
    assert.equal(quantileLabel(0.999), 'p99.9');
  });
});

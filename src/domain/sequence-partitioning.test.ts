import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSequencePartitioning } from './sequence-partitioning.js';

const errorOf = (result: number | { error: string }): string => {
  assert.equal(typeof result, 'object', `expected an error, got ordinal ${String(result)}`);
  return (result as { error: string }).error;
};

describe('createSequencePartitioning', () => {
  test('defaults: ordinal = value, any integer, no first ordinal', () => {
    const p = createSequencePartitioning();
    assert.equal(p.kind, 'sequence');
    assert.equal(p.toOrdinal(0), 0);
    assert.equal(p.toOrdinal(3001), 3001);
    assert.equal(p.toOrdinal('3001'), 3001);
    assert.equal(p.toOrdinal(-7), -7);
    assert.equal(p.firstOrdinal, undefined);
    assert.equal(p.valueOf(42), 42);
  });

  test('start shifts ordinals so the start is ordinal 0', () => {
    const p = createSequencePartitioning({ start: 1000 });
    assert.equal(p.firstOrdinal, 0);
    assert.equal(p.toOrdinal(1000), 0);
    assert.equal(p.toOrdinal(1001), 1);
    assert.equal(p.toOrdinal('1500'), 500);
    assert.equal(p.valueOf(0), 1000);
    assert.equal(p.valueOf(500), 1500);
  });

  test('step divides the distance from the start', () => {
    const p = createSequencePartitioning({ start: 1, step: 2 });
    assert.equal(p.toOrdinal(1), 0);
    assert.equal(p.toOrdinal(3), 1);
    assert.equal(p.toOrdinal('7'), 3);
    assert.equal(p.valueOf(3), 7);
    assert.equal(errorOf(p.toOrdinal(4)), 'partition must be an integer on step 2 from 1, found 4');
    assert.equal(errorOf(p.toOrdinal(2)), 'partition must be an integer on step 2 from 1, found 2');
  });

  test('step without start aligns to 0 and allows negatives', () => {
    const p = createSequencePartitioning({ step: 10 });
    assert.equal(p.toOrdinal(30), 3);
    assert.equal(p.toOrdinal(-20), -2);
    assert.match(errorOf(p.toOrdinal(35)), /on step 10 from 0, found 35/);
  });

  test('values below the start are rejected and say so', () => {
    const p = createSequencePartitioning({ start: 100 });
    assert.equal(
      errorOf(p.toOrdinal(99)),
      'partition must be an integer from 100, found 99, which is before the start 100',
    );
    assert.match(errorOf(p.toOrdinal('-5')), /found "-5", which is before the start 100/);
  });

  test('rejects non-integers, wrong types and unsafe integers with what was found', () => {
    const p = createSequencePartitioning();
    const cases: [unknown, RegExp][] = [
      [1.5, /must be an integer, found 1\.5$/],
      [Number.NaN, /found NaN/],
      [Number.POSITIVE_INFINITY, /found Infinity/],
      [true, /found true \(a boolean\)/],
      [null, /found null/],
      [undefined, /found no value/],
      [{ id: 3 }, /found an object/],
      [[3], /found an array/],
      [3n, /found 3n \(a bigint\)/],
      ['', /found ""/],
      ['abc', /found "abc"/],
      ['1.0', /found "1\.0"/],
      ['1e3', /found "1e3"/],
      ['0x10', /found "0x10"/],
      [' 12', /found " 12"/],
      ['12 ', /found "12 "/],
      ['-', /found "-"/],
      [Number.MAX_SAFE_INTEGER + 1, /beyond the largest safe integer 9007199254740991/],
      ['9007199254740993', /found "9007199254740993" \(beyond the largest safe integer/],
      ['123456789012345678901234567890', /beyond the largest safe integer/],
    ];
    for (const [raw, pattern] of cases) assert.match(errorOf(p.toOrdinal(raw)), pattern, String(raw));
    assert.equal(p.toOrdinal(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
    assert.equal(p.toOrdinal(String(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
  });

  test('-0 and "-0" give ordinal 0, not -0', () => {
    const p = createSequencePartitioning({ step: 2 });
    assert.ok(Object.is(p.toOrdinal(-0), 0));
    assert.ok(Object.is(p.toOrdinal('-0'), 0));
  });

  test('valueOf and toOrdinal round-trip', () => {
    const p = createSequencePartitioning({ start: -50, step: 7 });
    for (let o = 0; o < 1000; o += 13) {
      assert.equal(p.toOrdinal(p.valueOf(o)), o);
      assert.equal(p.toOrdinal(String(p.valueOf(o))), o);
    }
  });

  test('describe exposes the value for request templates', () => {
    const p = createSequencePartitioning({ start: 3000 });
    assert.deepEqual(p.describe(1), { partition: '3001', value: '3001' });
  });

  test('expected is the inclusive range, empty when reversed, never before the start', () => {
    const p = createSequencePartitioning();
    assert.deepEqual(p.expected(5, 9).ranges(), [[5, 9]]);
    assert.equal(p.expected(5, 5).size, 1);
    assert.equal(p.expected(6, 5).size, 0);
    const started = createSequencePartitioning({ start: 10 });
    assert.deepEqual(started.expected(-5, 3).ranges(), [[0, 3]]);
    assert.equal(started.expected(-5, -1).size, 0);
  });

  test('sequences have no schedule', () => {
    const p = createSequencePartitioning({ start: 1 });
    assert.equal(p.latestDue(Date.now()), undefined);
    assert.equal(p.instantOf(5), undefined);
  });

  test('bad options throw and say how to fix them', () => {
    assert.throws(() => createSequencePartitioning({ step: 0 }), /step must be a positive integer, found 0/);
    assert.throws(() => createSequencePartitioning({ step: 1.5 }), /step must be a positive integer/);
    assert.throws(() => createSequencePartitioning({ step: -2 }), /step must be a positive integer/);
    assert.throws(
      () => createSequencePartitioning({ start: 0.5 }),
      /start must be a safe integer, found 0\.5/,
    );
    assert.throws(
      () => createSequencePartitioning({ start: '1' as unknown as number }),
      /start must be a safe integer, found "1"/,
    );
  });

  // Its cost per call is a figure of `npm run bench partitioning`, not a limit here.
  test('toOrdinal maps numbers and integer text on the step, a million of each', () => {
    const p = createSequencePartitioning({ start: 1, step: 2 });
    const n = 1_000_000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += p.toOrdinal(1 + 2 * i) as number;
      sum += p.toOrdinal('1001') as number;
    }
    assert.equal(sum, (n * (n - 1)) / 2 + 500 * n);
  });
});

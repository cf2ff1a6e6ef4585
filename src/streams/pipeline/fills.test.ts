import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fillHoles } from './fills.js';

describe('fillHoles', () => {
  test('linear interpolates exactly between the neighbours, by slot distance', () => {
    const v = [10, undefined, undefined, 40, undefined, 50];
    fillHoles(v, 'linear');
    assert.deepEqual(v, [10, 20, 30, 40, 45, 50]);
  });

  test('linear reaches anchors outside the window on both sides', () => {
    // Real 0 two slots before the window, real 100 two slots after it: 5 holes in between at 20..80.
    const v: unknown[] = [undefined, undefined, undefined];
    fillHoles(v, 'linear', { index: -2, value: 0 }, { index: 5, value: 70 });
    assert.deepEqual(v, [20, 30, 40]);
  });

  test('linear never extrapolates: holes without a number on one side get the missing marker', () => {
    const start = [undefined, undefined, 5, undefined];
    fillHoles(start, 'linear');
    assert.deepEqual(start, [null, null, 5, null]);
    const text = [1, undefined, 'n/a'];
    fillHoles(text, 'linear');
    assert.deepEqual(text, [1, null, 'n/a']);
  });

  test('forward carries the last value, from before the window too; at a key start there is none', () => {
    const v = [undefined, 3, undefined, undefined, 'on', undefined];
    fillHoles(v, 'forward');
    assert.deepEqual(v, [null, 3, 3, 3, 'on', 'on']);
    const carried = [undefined, undefined, 9];
    fillHoles(carried, 'forward', { index: -4, value: 7 });
    assert.deepEqual(carried, [7, 7, 9]);
  });

  test('zero and missing fill only the holes', () => {
    const z = [undefined, 2, undefined];
    fillHoles(z, 'zero');
    assert.deepEqual(z, [0, 2, 0]);
    const m = [1, undefined, 3];
    fillHoles(m, 'missing');
    assert.deepEqual(m, [1, null, 3]);
  });
});

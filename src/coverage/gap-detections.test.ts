import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GapDetections } from './gap-detections.js';

describe('GapDetections', () => {
  test('a gap is detected when noted; a fill takes its time and forgets the partition', () => {
    const d = new GapDetections();
    d.noteOpened(10, 14, 1_000);
    assert.equal(d.detectedIn(10, 14), 1_000);
    assert.equal(d.detectedIn(12, 12), 1_000);
    assert.equal(d.detectedIn(15, 20), undefined);
    assert.equal(d.takeFilled(12), 1_000);
    assert.equal(d.takeFilled(12), undefined, 'taken once');
    assert.equal(d.detectedIn(12, 12), undefined);
    assert.equal(d.detectedIn(13, 14), 1_000, 'the rest of the gap keeps its time');
    assert.equal(d.takeFilled(10), 1_000);
    assert.equal(d.takeFilled(11), 1_000);
    assert.equal(d.takeFilled(13), 1_000);
    assert.equal(d.takeFilled(14), 1_000);
    assert.equal(d.size, 0);
  });

  test('a range over several noted gaps reads the earliest; a new note of the same partitions wins', () => {
    const d = new GapDetections();
    d.noteOpened(20, 29, 3_000);
    d.noteOpened(1, 5, 2_000);
    d.noteOpened(8, 9, 5_000);
    assert.equal(d.detectedIn(1, 30), 2_000);
    assert.equal(d.detectedIn(6, 25), 3_000);
    // Purged and found missing again: detected anew.
    d.noteOpened(3, 22, 9_000);
    assert.equal(d.detectedIn(1, 2), 2_000);
    assert.equal(d.detectedIn(3, 22), 9_000);
    assert.equal(d.detectedIn(23, 29), 3_000);
    assert.equal(d.takeFilled(8), 9_000);
  });

  test('retain keeps only what is still missing, and is due once the ranges doubled', () => {
    const d = new GapDetections();
    for (let i = 0; i < 70; i++) d.noteOpened(i * 10, i * 10 + 4, i);
    assert.equal(d.retainDue, true);
    // Only the first two gaps are still open, the second one half filled elsewhere.
    d.retain((a, b) => (a === 0 ? [[a, b]] : a === 10 ? [[12, 14]] : []));
    assert.equal(d.size, 2);
    assert.equal(d.retainDue, false);
    assert.equal(d.detectedIn(10, 11), undefined);
    assert.equal(d.detectedIn(12, 12), 1);
    assert.equal(d.detectedIn(0, 4), 0);
  });
});

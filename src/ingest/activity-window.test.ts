import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activityWindow } from './activity-window.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T = Date.UTC(2026, 10, 20, 12, 7, 30);

describe('activityWindow', () => {
  it('cuts a day into half hours by default, aligned, the last bucket holding now', () => {
    const w = activityWindow({ fromMs: T - DAY, toMs: T });
    assert.equal(w.bucketMs, 30 * MINUTE);
    assert.equal(w.fromMs, Date.UTC(2026, 10, 19, 12, 0, 0));
    assert.equal(w.count, 49);
    assert.ok(w.fromMs + (w.count - 1) * w.bucketMs <= T - 1 && T - 1 < w.fromMs + w.count * w.bucketMs);
  });

  it('keeps an asked bucket that fits, in whole minutes, and steps up from one that does not', () => {
    assert.equal(activityWindow({ fromMs: T - HOUR, toMs: T, askedMs: 7 * MINUTE }).bucketMs, 7 * MINUTE);
    // An hour not on a minute boundary spans 61 minute buckets: one more than the default limit.
    assert.equal(
      activityWindow({ fromMs: T - HOUR, toMs: T, askedMs: 1_000, maxBuckets: 61 }).bucketMs,
      MINUTE,
    );
    assert.equal(activityWindow({ fromMs: T - HOUR, toMs: T, askedMs: 1_000 }).bucketMs, 2 * MINUTE);
    assert.equal(
      activityWindow({ fromMs: T - 30 * DAY, toMs: T, askedMs: MINUTE, maxBuckets: 100 }).bucketMs,
      12 * HOUR,
    );
  });

  it('never answers more than its limit, even over centuries', () => {
    const w = activityWindow({ fromMs: T - 300 * 365 * DAY, toMs: T, maxBuckets: 5000 });
    assert.ok(w.count <= 1000, `${w.count} buckets`);
    assert.equal(w.bucketMs % DAY, 0);
  });
});

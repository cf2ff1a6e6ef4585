import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstTimes, nearestRank, summarizeJoin } from './join-summary.js';
import type { SideRow } from './side-reader.js';
import { timeValueMs } from './time-value.js';

const row = (key: string, t: number | undefined): SideRow => ({ key, value: key, t, shown: t });

describe('joining parents to children in process', () => {
  it('nearest rank: the smallest value with at least q% at or below it', () => {
    const v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    assert.equal(nearestRank(v, 50), 50);
    assert.equal(nearestRank(v, 95), 100);
    assert.equal(nearestRank(v, 10), 10);
    assert.equal(nearestRank([7], 95), 7);
    assert.equal(nearestRank([], 50), undefined);
  });

  it("a parent's child is its first one; a child without a time still counts as arrived", () => {
    const t = firstTimes([row('a', 30), row('a', 10), row('b', undefined), row('b', 5), row('c', undefined)]);
    assert.deepEqual([...t.entries()].sort(), [
      ['a', 10],
      ['b', 5],
      ['c', null],
    ]);
  });

  it('counts, delays, late and the missing parents oldest first', () => {
    const parents = [
      row('p3', 300),
      row('p1', 100),
      row('p2', 200),
      row('p4', 50),
      row('p5', 50),
      row('p6', 400),
    ];
    const children = new Map<string, number | null>([
      ['p1', 150],
      ['p2', 1_200],
      ['p6', null],
    ]);
    const s = summarizeJoin(parents, children, 500);
    assert.equal(s.parents, 6);
    assert.equal(s.matched, 3);
    assert.equal(s.p50, 50);
    assert.equal(s.p95, 1_000);
    assert.equal(s.max, 1_000);
    assert.equal(s.late, 1);
    assert.deepEqual(
      s.missing.map((r) => r.key),
      ['p4', 'p5', 'p3'],
    );
  });
});

describe('stored times as epoch milliseconds', () => {
  it('reads Dates, epoch ms (numbers and text), ISO text with and without a zone (UTC)', () => {
    const ms = Date.UTC(2026, 11, 1, 10, 0, 0);
    assert.equal(timeValueMs(new Date(ms)), ms);
    assert.equal(timeValueMs(ms), ms);
    assert.equal(timeValueMs(String(ms)), ms);
    assert.equal(timeValueMs('2026-12-01T10:00:00Z'), ms);
    assert.equal(timeValueMs('2026-12-01T18:00:00+08:00'), ms);
    assert.equal(timeValueMs('2026-12-01 10:00:00'), ms);
    assert.equal(timeValueMs('2026-12-01 10:00:00.000'), ms);
    for (const bad of [null, undefined, '', 'soon', {}, Number.NaN])
      assert.equal(timeValueMs(bad), undefined);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededUnit } from '../domain/schedule/schedule-jitter.js';
import { DueHeap } from './due-heap.js';

test('pops in due order, equal due times first-set first-out', () => {
  const heap = new DueHeap();
  heap.set('c', 20);
  heap.set('b', 10);
  heap.set('a', 20);
  heap.set('d', 5);
  const order: string[] = [];
  for (let e = heap.pop(); e !== undefined; e = heap.pop()) order.push(`${e.id}@${e.dueMs}`);
  assert.deepEqual(order, ['d@5', 'b@10', 'c@20', 'a@20']);
  assert.equal(heap.size, 0);
  assert.equal(heap.peek(), undefined);
});

test('set moves an existing job earlier or later; delete removes it', () => {
  const heap = new DueHeap();
  for (const [id, due] of [
    ['a', 10],
    ['b', 20],
    ['c', 30],
  ] as const)
    heap.set(id, due);
  heap.set('c', 5);
  assert.deepEqual(heap.peek(), { id: 'c', dueMs: 5 });
  heap.set('c', 50);
  assert.deepEqual(heap.peek(), { id: 'a', dueMs: 10 });
  assert.equal(heap.delete('a'), true);
  assert.equal(heap.delete('a'), false);
  assert.equal(heap.dueOf('c'), 50);
  assert.equal(heap.size, 2);
  assert.deepEqual(heap.pop(), { id: 'b', dueMs: 20 });
});

test('agrees with a sorted list under 20,000 random operations', () => {
  const heap = new DueHeap();
  const model = new Map<string, [due: number, seq: number]>();
  for (let i = 0; i < 20_000; i++) {
    const r = seededUnit('ops', i);
    const id = `job-${Math.floor(seededUnit('id', i) * 500)}`;
    if (r < 0.6) {
      const due = Math.floor(seededUnit('due', i) * 1000);
      heap.set(id, due);
      model.set(id, [due, i]);
    } else if (r < 0.8) {
      assert.equal(heap.delete(id), model.delete(id));
    } else {
      const want = [...model].sort((x, y) => x[1][0] - y[1][0] || x[1][1] - y[1][1])[0];
      const got = heap.pop();
      assert.deepEqual(got && [got.id, got.dueMs], want && [want[0], want[1][0]]);
      if (want) model.delete(want[0]);
    }
    assert.equal(heap.size, model.size);
  }
});

test('costs grow with log(n): a pop + set moves O(log n) entries, 100x more jobs not even 2x more', () => {
  /** Entries written to a heap slot per pop + set: the work of a sift, counted instead of timed. */
  const movesPerOp = (n: number): number => {
    const heap = new DueHeap();
    for (let i = 0; i < n; i++) heap.set(`job-${i}`, Math.floor(seededUnit('n', i) * 1e6));
    let moves = 0;
    const place = (DueHeap.prototype as unknown as { place: (...args: unknown[]) => void }).place;
    Object.defineProperty(heap, 'place', {
      value(this: DueHeap, ...args: unknown[]) {
        moves++;
        place.apply(this, args);
      },
    });
    const ops = 10_000;
    for (let i = 0; i < ops; i++) {
      const top = heap.pop()!;
      heap.set(top.id, top.dueMs + 1 + Math.floor(seededUnit('d', i) * 1e6));
    }
    return moves / ops;
  };
  const small = movesPerOp(1000);
  const large = movesPerOp(100_000);
  // Two sifts of at most log2(n) + 1 moves each: 2 * 17.6 at 100,000 jobs. A sorted array would move ~n/2.
  assert.ok(large <= 2 * (Math.log2(100_000) + 1), `${large} moves per op`);
  assert.ok(large / small < 2, `${small} vs ${large} moves per op`);
});

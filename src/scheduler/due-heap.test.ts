import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DueHeap } from './due-heap.js';
import { seededUnit } from './schedule-jitter.js';

test('pops in due order, ties by id', () => {
  const heap = new DueHeap();
  heap.set('c', 20);
  heap.set('b', 10);
  heap.set('a', 20);
  heap.set('d', 5);
  const order: string[] = [];
  for (let e = heap.pop(); e !== undefined; e = heap.pop()) order.push(`${e.id}@${e.dueMs}`);
  assert.deepEqual(order, ['d@5', 'b@10', 'a@20', 'c@20']);
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
  const model = new Map<string, number>();
  for (let i = 0; i < 20_000; i++) {
    const r = seededUnit('ops', i);
    const id = `job-${Math.floor(seededUnit('id', i) * 500)}`;
    if (r < 0.6) {
      const due = Math.floor(seededUnit('due', i) * 1000);
      heap.set(id, due);
      model.set(id, due);
    } else if (r < 0.8) {
      assert.equal(heap.delete(id), model.delete(id));
    } else {
      const want = [...model].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1))[0];
      const got = heap.pop();
      assert.deepEqual(got && [got.id, got.dueMs], want);
      if (want) model.delete(want[0]);
    }
    assert.equal(heap.size, model.size);
  }
});

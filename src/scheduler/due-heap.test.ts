import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DueHeap } from './due-heap.js';
import { seededUnit } from './schedule-jitter.js';

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

test('costs grow with log(n): 100x more jobs make a pop + set less than 20x slower', () => {
  const costPerOp = (n: number): number => {
    const heap = new DueHeap();
    for (let i = 0; i < n; i++) heap.set(`job-${i}`, Math.floor(seededUnit('n', i) * 1e6));
    const ops = 100_000;
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) {
      const top = heap.pop()!;
      heap.set(top.id, top.dueMs + 1 + Math.floor(seededUnit('d', i) * 1e6));
    }
    return (performance.now() - t0) / ops;
  };
  costPerOp(1000); // warm up the JIT
  const small = Math.min(costPerOp(1000), costPerOp(1000));
  const large = Math.min(costPerOp(100_000), costPerOp(100_000));
  // log2 grows ~1.7x from 1,000 to 100,000; a linear scan would be ~100x.
  assert.ok(large / small < 20, `${small.toFixed(5)} ms vs ${large.toFixed(5)} ms per op`);
});

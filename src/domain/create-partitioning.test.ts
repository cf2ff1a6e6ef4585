import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPartitioning, type PartitioningDefinition } from './create-partitioning.js';

test('dispatches sequence definitions', () => {
  const p = createPartitioning({ sequence: { start: 10, step: 5 } });
  assert.equal(p.kind, 'sequence');
  assert.equal(p.toOrdinal(20), 2);
});

test('dispatches calendar definitions', () => {
  const p = createPartitioning({ calendar: { every: '1d', timezone: 'Asia/Shanghai' } });
  assert.equal(p.kind, 'calendar');
  assert.equal(p.valueOf(p.toOrdinal('2026-11-22') as number), '2026-11-22');
});

test('rejects definitions with neither or both kinds', () => {
  assert.throws(
    () => createPartitioning({} as PartitioningDefinition),
    /exactly one of "sequence".*"calendar".*found neither/,
  );
  assert.throws(
    () =>
      createPartitioning({ sequence: {}, calendar: { every: '1d' } } as unknown as PartitioningDefinition),
    /found both/,
  );
});

test('passes option errors through', () => {
  assert.throws(() => createPartitioning({ calendar: { every: '1w' } }), /every must be a positive count/);
  assert.throws(() => createPartitioning({ sequence: { step: 0 } }), /step must be a positive integer/);
});

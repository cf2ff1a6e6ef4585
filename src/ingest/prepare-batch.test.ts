import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPartitioning } from '../domain/create-partitioning.js';
import { MAX_KEY_LENGTH, prepareBatch } from './prepare-batch.js';

const seq = createPartitioning({ sequence: { start: 1 } });

describe('prepareBatch', () => {
  it('keeps valid records and rejects bad ones with a reason', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const batch = prepareBatch(
      seq,
      [
        { key: '1', partition: 1, payload: { a: 1 } },
        { partition: 2, payload: {} },
        { key: '3', partition: 'three', payload: {} },
        { key: 4, partition: 4, payload: { b: 2 } },
        'not an object',
        { key: '6', partition: 6, payload: circular },
        { key: '7', partition: 7 },
        { key: 'x'.repeat(MAX_KEY_LENGTH + 1), partition: 8, payload: {} },
      ],
      'api',
      'ignore',
    );
    assert.deepEqual(
      batch.rows.map((r) => [r.key, r.ordinal, r.payload, r.source]),
      [
        ['1', 0, '{"a":1}', 'api'],
        ['4', 3, '{"b":2}', 'api'],
      ],
    );
    assert.equal(batch.rejected.length, 6);
    assert.match(
      batch.rejected[0]!.reason,
      /record 1: key must be a non-empty string or number, found nothing/,
    );
    assert.match(batch.rejected[1]!.reason, /record 2 \(key 3\)/);
    assert.match(batch.rejected[2]!.reason, /expected an object/);
    assert.match(batch.rejected[3]!.reason, /not JSON-serialisable/);
    assert.match(batch.rejected[4]!.reason, /payload is missing/);
    assert.match(batch.rejected[5]!.reason, /limit is 512/);
  });

  it('keeps the first copy of a repeated key under ignore and the last under update', () => {
    const records = [
      { key: 'a', partition: 1, payload: 1 },
      { key: 'a', partition: 1, payload: 2 },
    ];
    const ignore = prepareBatch(seq, records, null, 'ignore');
    assert.equal(ignore.rows.length, 1);
    assert.equal(ignore.rows[0]!.payload, '1');
    assert.equal(ignore.duplicatesInBatch, 1);
    const update = prepareBatch(seq, records, null, 'update');
    assert.equal(update.rows[0]!.payload, '2');
  });
});

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

describe('prepareBatch: text a store cannot hold exactly', () => {
  it('rejects keys with U+0000 or a lone surrogate, one record at a time', () => {
    const batch = prepareBatch(
      seq,
      [
        { key: 'a\u0000', partition: 1, payload: {} },
        { key: '\ud800', partition: 2, payload: {} },
        { key: '\udc00', partition: 3, payload: {} },
        { key: '😀', partition: 4, payload: { lone: '\ud800', nul: '\u0000' } },
      ],
      'api',
      'ignore',
    );
    assert.deepEqual(
      batch.rejected.map((r) => [r.index, r.key]),
      [
        [0, 'a\u0000'],
        [1, '\ud800'],
        [2, '\udc00'],
      ],
    );
    assert.match(
      batch.rejected[0]!.reason,
      /^record 0: key "a\\u0000" contains U\+0000 \(NUL\) at position 1/,
    );
    assert.match(
      batch.rejected[1]!.reason,
      /^record 1: key "\\ud800" contains a lone surrogate U\+D800 at position 0/,
    );
    // The payload's JSON text escapes both, so it is kept and parses back to the same value.
    assert.deepEqual(
      batch.rows.map((r) => [r.key, JSON.parse(r.payload)]),
      [['😀', { lone: '\ud800', nul: '\u0000' }]],
    );
    assert.equal(batch.rows[0]!.payload, '{"lone":"\\ud800","nul":"\\u0000"}');
  });

  it('rejects every record when the source name cannot be stored', () => {
    const batch = prepareBatch(seq, [{ key: '1', partition: 1, payload: {} }], 'bad\u0000source', 'ignore');
    assert.equal(batch.rows.length, 0);
    assert.match(batch.rejected[0]!.reason, /^record 0: source name "bad\\u0000source" contains U\+0000/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findUnstorable, unstorableReason } from './storable-text.js';

describe('findUnstorable', () => {
  it('accepts well-formed text, pairs outside the BMP and control characters other than NUL', () => {
    for (const text of ['', 'plain', '😀👍🏽 ß 中文', '\t\n\r\\', '\u0001\u007f\ufeff\uffff', '\ud83d\ude00'])
      assert.equal(findUnstorable(text), undefined, JSON.stringify(text));
  });

  it('finds U+0000 and lone surrogates, at their position in characters', () => {
    assert.deepEqual(findUnstorable('ab\u0000'), { found: 'U+0000 (NUL)', position: 2 });
    assert.deepEqual(findUnstorable('\ud800'), { found: 'a lone surrogate U+D800', position: 0 });
    assert.deepEqual(findUnstorable('x\udc00'), { found: 'a lone surrogate U+DC00', position: 1 });
    // A pair before the fault is one character; a high surrogate followed by a non-low one is lone.
    assert.deepEqual(findUnstorable('😀😀\ud800a'), { found: 'a lone surrogate U+D800', position: 2 });
    assert.deepEqual(findUnstorable('a\udbff'), { found: 'a lone surrogate U+DBFF', position: 1 });
    assert.deepEqual(findUnstorable('\udc00\ud800'), { found: 'a lone surrogate U+DC00', position: 0 });
  });

  it('explains the refusal with the escaped text, what was found and where', () => {
    assert.equal(unstorableReason('key', 'ok'), undefined);
    assert.equal(
      unstorableReason('key', 'a\u0000b'),
      'key "a\\u0000b" contains U+0000 (NUL) at position 1 (counted in characters from 0), which a store cannot hold exactly; remove or replace it',
    );
  });
});

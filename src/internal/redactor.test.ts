import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { createRedactor, noRedaction, redactDeep, SecretValues } from './redactor.js';

describe('createRedactor', () => {
  it('masks a secret as written, percent-encoded in a path or query, form-encoded and JSON-escaped', () => {
    const secret = 'p4th secret/+&"x';
    const redact = createRedactor([secret]);
    const url = new URL(`https://api.example.com/v1/${secret}/latest`);
    url.searchParams.set('appcode', secret);
    const texts = [
      `token ${secret} used`,
      url.href,
      `GET /v1/${encodeURIComponent(secret)}/latest`,
      `GET /v1/${encodeURIComponent(secret).toLowerCase()}/latest`,
      JSON.stringify({ error: `bad ${secret}` }),
    ];
    for (const text of texts) {
      const out = redact(text);
      assert.ok(!out.includes('p4th'), `${text} -> ${out}`);
      assert.match(out, /\*\*\*/);
    }
    assert.equal(redact(url.href), 'https://api.example.com/v1/***/latest?appcode=***');
  });

  it('masks the longer of two overlapping secrets whole, and leaves other text alone', () => {
    const redact = createRedactor(['abcd', 'abcdefgh']);
    assert.equal(redact('x abcdefgh y abcd z'), 'x *** y *** z');
    assert.equal(redact('nothing here'), 'nothing here');
  });

  it('ignores values shorter than 4 characters and returns the identity without secrets', () => {
    assert.equal(createRedactor(['1', 'on', 'dev']), noRedaction);
    assert.equal(createRedactor([]), noRedaction);
    assert.equal(createRedactor(['1', 'long-secret'])('1 long-secret'), '1 ***');
  });

  it('redacts every string of a nested object, errors and keys included', () => {
    const redact = createRedactor(['s3cr3t-value']);
    const out = redactDeep(
      { msg: 'x', n: 1, nested: { list: ['a s3cr3t-value b'], error: new Error('boom s3cr3t-value') } },
      redact,
    );
    assert.deepEqual(out, {
      msg: 'x',
      n: 1,
      nested: { list: ['a *** b'], error: { type: 'Error', message: 'boom ***' } },
    });
  });
});

describe('SecretValues', () => {
  it('prints and serialises as a count only', () => {
    const secrets = new SecretValues(['s3cr3t-value', 's3cr3t-value', 'ab']);
    assert.equal(secrets.size, 1);
    assert.equal(JSON.stringify({ secrets }), '{"secrets":"[1 secret values]"}');
    assert.ok(!inspect({ secrets }).includes('s3cr3t'));
  });
});

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalPairs, signHmacSha256, signMd5Sorted } from './signing.js';

// The draw API's parameters, deliberately out of order and with an empty one.
const params = { time: '1700000000', issue: '3300000', appid: '45928', format: 'json', empty: '' };

describe('canonicalPairs', () => {
  it('drops empty values and sorts by key', () => {
    assert.deepEqual(canonicalPairs(params), [
      ['appid', '45928'],
      ['format', 'json'],
      ['issue', '3300000'],
      ['time', '1700000000'],
    ]);
  });

  it('sorts by code unit, so uppercase keys come first (as Python sorted() does)', () => {
    assert.deepEqual(
      canonicalPairs({ b: '1', B: '2', a: '3' }).map(([k]) => k),
      ['B', 'a', 'b'],
    );
  });
});

describe('signMd5Sorted', () => {
  it('matches a vector computed independently (md5sum of the concatenation)', () => {
    // printf '%s' 'appid45928formatjsonissue3300000time1700000000s3cret' | md5sum
    assert.equal(signMd5Sorted(params, 's3cret'), '053fb89e13e37942321fb5fcce0ab01a');
  });

  it('equals md5(k1v1k2v2... + secret) recomputed with node:crypto', () => {
    const expected = createHash('md5')
      .update('appid45928formatjsonissue3300000time1700000000other-secret')
      .digest('hex');
    assert.equal(signMd5Sorted(params, 'other-secret'), expected);
  });

  it('hashes non-ASCII values as UTF-8', () => {
    const expected = createHash('md5').update(Buffer.from('name北京k', 'utf8')).digest('hex');
    assert.equal(signMd5Sorted({ name: '北京' }, 'k'), expected);
  });

  it('changes when any non-empty parameter changes, not when an empty one is added', () => {
    const base = signMd5Sorted(params, 's3cret');
    assert.notEqual(signMd5Sorted({ ...params, issue: '3300001' }, 's3cret'), base);
    assert.equal(signMd5Sorted({ ...params, another: '' }, 's3cret'), base);
  });
});

describe('signHmacSha256', () => {
  it('matches a vector computed independently (openssl dgst -sha256 -hmac)', () => {
    // printf '%s' 'appid=45928&format=json&issue=3300000&time=1700000000' | openssl dgst -sha256 -hmac s3cret
    assert.equal(
      signHmacSha256(params, 's3cret'),
      '096513e85aa4d078487e5d58c5398cbd345b5a7926fb825608f6851cf028a6dc',
    );
  });

  it('equals HMAC-SHA256(secret, "k=v&k=v") recomputed with node:crypto, values not URL-encoded', () => {
    const expected = createHmac('sha256', 'k').update('a=x y&b=1/2').digest('hex');
    assert.equal(signHmacSha256({ b: '1/2', a: 'x y', c: '' }, 'k'), expected);
  });
});

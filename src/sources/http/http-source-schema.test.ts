// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are gapwarden request templates, not JS template literals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock } from '../../internal/clock.js';
import { ConfigError } from '../../internal/errors.js';
import { silentLogger } from '../../internal/logger.js';
import { createHttpSource } from './http-source.js';
import { type HttpSourceOptions, httpSourceSchema } from './http-source-schema.js';

const minimal = {
  name: 'primary',
  type: 'http',
  baseUrl: 'http://127.0.0.1:8080',
  byKey: { url: '/history', query: { issue: '${partition}' } },
  response: { records: 'retdata', key: 'issue' },
};

/** The messages of a failed parse, joined, for matching. */
function problems(input: unknown): string {
  const result = httpSourceSchema.safeParse(input);
  assert.equal(result.success, false, 'expected the schema to reject the input');
  return result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') ?? '';
}

describe('httpSourceSchema', () => {
  it('fills the documented defaults', () => {
    const o = httpSourceSchema.parse(minimal);
    assert.equal(o.byKey?.method, 'GET');
    assert.equal(o.timeoutMs, 10_000);
    assert.equal(o.retries, 2);
    assert.deepEqual(o.backoff, { initialMs: 200, maxMs: 5000 });
    assert.equal(o.maxRetryAfterMs, 60_000);
    assert.equal(o.response.partition, 'issue');
    assert.equal(o.response.payload, '.');
  });

  it('stringifies YAML numbers in query parameters and fills sign defaults', () => {
    const o = httpSourceSchema.parse({
      ...minimal,
      latest: { url: '/latest', query: { appid: 45928 } },
      sign: { method: 'md5-sorted', secret: 's' },
    });
    assert.equal(o.latest?.query.appid, '45928');
    assert.deepEqual(o.sign, { method: 'md5-sorted', secret: 's', param: 'sign', in: 'query' });
  });

  it('accepts a sign function and normalises it', () => {
    const fn = () => 'abc';
    const o = httpSourceSchema.parse({ ...minimal, sign: fn });
    assert.deepEqual(o.sign, { method: fn, param: 'sign', in: 'query' });
  });

  it('reports unknown placeholders with their path and the names that exist', () => {
    const text = problems({
      ...minimal,
      latest: { url: '/latest', query: { day: '${date}', x: '${partiton}' } },
    });
    assert.match(text, /latest\.query\.day: unknown placeholder \$\{date\}/);
    assert.match(text, /latest\.query\.x: unknown placeholder \$\{partiton\}.*now\.unix/);
  });

  it('explains ${page} without pagination and leftover ${env:...}', () => {
    const text = problems({
      ...minimal,
      byRange: { url: '/h', query: { p: '${page}' }, headers: { key: '${env:API_KEY}' } },
    });
    assert.match(text, /add byRange\.pagination/);
    assert.match(text, /resolved by the config loader/);
  });

  it('requires at least one request and rejects a GET body', () => {
    assert.match(problems({ ...minimal, byKey: undefined }), /at least one of latest, byKey, byRange/);
    assert.match(
      problems({ ...minimal, latest: { url: '/l', body: { a: 1 } } }),
      /GET request cannot have a body/,
    );
  });

  it('rejects an unknown sign method and a missing response key', () => {
    assert.match(
      problems({ ...minimal, sign: { method: 'sha1', secret: 's' } }),
      /md5-sorted \| hmac-sha256/,
    );
    assert.match(problems({ ...minimal, response: { records: 'retdata' } }), /response\.key/);
  });
});

describe('createHttpSource validation', () => {
  it('checks templates eagerly for options built in code', () => {
    const options = {
      ...httpSourceSchema.parse(minimal),
      latest: { url: '/latest', method: 'GET', query: { t: '${now.unixx}' }, headers: {} },
    } as HttpSourceOptions;
    assert.throws(
      () => createHttpSource({ options, clock: systemClock, logger: silentLogger }),
      (err: unknown) => err instanceof ConfigError && /\$\{now\.unixx\}/.test(err.message),
    );
  });

  it('requires a baseUrl for relative urls', () => {
    const options = { ...httpSourceSchema.parse(minimal), baseUrl: undefined };
    assert.throws(
      () => createHttpSource({ options, clock: systemClock, logger: silentLogger }),
      (err: unknown) => err instanceof ConfigError && /baseUrl/.test(err.message),
    );
  });

  it('reports capabilities from the configured requests', () => {
    const s = createHttpSource({
      options: httpSourceSchema.parse(minimal),
      clock: systemClock,
      logger: silentLogger,
    });
    assert.deepEqual(s.capabilities, { latest: false, byKey: true, byRange: false });
  });
});

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are gapwarden request templates, not JS template literals.
// What an HTTP source sends and when: the caller's pacer before every request
// (page and retry), a 429's Retry-After holding back every call of the source,
// and pagination that ends at a page the body marks as the last.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../internal/clock.js';
import { GapwardenError } from '../../internal/errors.js';
import { silentLogger } from '../../internal/logger.js';
import type { Source } from '../source.js';
import { createHttpSource } from './http-source.js';
import { type HttpSourceInput, httpSourceSchema } from './http-source-schema.js';
import { sendJson, startUpstream, type Upstream } from './test-upstream.js';

let upstream: Upstream;
before(async () => {
  upstream = await startUpstream();
});
after(async () => {
  await upstream.close();
});

const response = { records: 'retdata', key: 'issue', success: { path: 'codeid', equals: 10000 } };
const ref = (partition: string) => ({ ordinal: Number(partition), vars: { partition } });

function source(input: Partial<HttpSourceInput>): Source {
  const options = httpSourceSchema.parse({
    name: 'primary',
    type: 'http',
    baseUrl: upstream.url,
    timeoutMs: 2000,
    retries: 0,
    backoff: { initialMs: 1, maxMs: 5 },
    response,
    ...input,
  });
  return createHttpSource({ options, clock: systemClock, logger: silentLogger });
}

async function failure(promise: Promise<unknown>): Promise<GapwardenError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GapwardenError, `expected a GapwardenError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

/** Draws `from..to`, `size` per page, with `more` telling whether another page follows. */
const routePaged = (path: string, size: number) =>
  upstream.route(path, (req, res) => {
    const from = Number(req.query.from);
    const to = Number(req.query.to);
    const all = Array.from({ length: to - from + 1 }, (_, i) => ({ issue: from + i }));
    const page = Number(req.query.page);
    const items = all.slice((page - 1) * size, page * size);
    sendJson(res, 200, { codeid: 10000, retdata: items, more: page * size < all.length });
  });

describe('http source: pacing and holds', () => {
  it('awaits the pacer before every request it sends: each page and each retry', async () => {
    routePaged('/paced-range', 2);
    let flaky = 0;
    upstream.route('/paced-key', (_req, res) =>
      ++flaky === 1
        ? sendJson(res, 503, { error: 'busy' })
        : sendJson(res, 200, { codeid: 10000, retdata: [{ issue: 5 }] }),
    );
    const s = source({
      byKey: { url: '/paced-key' },
      byRange: {
        url: '/paced-range',
        query: { from: '${from}', to: '${to}', page: '${page}' },
        pagination: { stopWhenFewerThan: 2 },
      },
      retries: 1,
    });
    let paced = 0;
    const pace = async () => {
      paced++;
    };
    await s.byRange(ref('1'), ref('5'), undefined, pace);
    assert.equal(upstream.seen('/paced-range').length, 3);
    assert.equal(paced, 3, 'one pace per page');
    paced = 0;
    await s.byKey(ref('5'), undefined, pace);
    assert.equal(upstream.seen('/paced-key').length, 2);
    assert.equal(paced, 2, 'one pace per attempt');
  });

  it("holds every call of the source for a 429's Retry-After, not only the retry of the one told", async () => {
    upstream.route('/held', (_req, res, n) =>
      n === 1
        ? sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' })
        : sendJson(res, 200, { codeid: 10000, retdata: [{ issue: 2 }] }),
    );
    const s = source({ byKey: { url: '/held' } });
    const err = await failure(s.byKey(ref('1')));
    assert.equal(err.details.retryAfterMs, 1000);
    // Another call of the same source, made at once: it waits out the hold before sending.
    assert.equal((await s.byKey(ref('2'))).records.length, 1);
    const [first, second] = upstream.seen('/held');
    assert.ok(first && second);
    assert.ok(second.at - first.at >= 990, `the next request came ${second.at - first.at} ms after the 429`);
  });

  it('fails a call at once, retryable with retryAfterMs, while a hold longer than maxRetryAfterMs lasts', async () => {
    upstream.route('/held-long', (_req, res) =>
      sendJson(res, 429, { error: 'come back later' }, { 'retry-after': '30' }),
    );
    const s = source({ byKey: { url: '/held-long' }, maxRetryAfterMs: 1000 });
    assert.equal((await failure(s.byKey(ref('1')))).details.retryAfterMs, 30_000);
    const err = await failure(s.byKey(ref('2')));
    assert.equal(err.code, 'SOURCE_HTTP');
    assert.equal(err.retryable, true);
    const wait = Number(err.details.retryAfterMs);
    assert.ok(wait > 29_000 && wait <= 30_000, `retryAfterMs ${wait}`);
    assert.match(err.message, /Retry-After/);
    assert.equal(upstream.seen('/held-long').length, 1, 'nothing sent while held');
  });
});

describe('http source: pagination.lastPage', () => {
  it('stops at a page whose body marks it the last, without asking for an empty one', async () => {
    routePaged('/last-page', 100);
    const s = source({
      byRange: {
        url: '/last-page',
        query: { from: '${from}', to: '${to}', page: '${page}' },
        pagination: { stopWhenFewerThan: 100, lastPage: { path: 'more', equals: false } },
      },
    });
    assert.equal((await s.byRange(ref('1'), ref('100'))).records.length, 100);
    assert.equal(upstream.seen('/last-page').length, 1);
    assert.equal((await s.byRange(ref('1'), ref('200'))).records.length, 200);
    assert.equal(upstream.seen('/last-page').length, 3);
  });
});

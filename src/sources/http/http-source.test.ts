// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are gapwarden request templates, not JS template literals.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Clock, createManualClock, systemClock } from '../../internal/clock.js';
import { GapwardenError } from '../../internal/errors.js';
import { silentLogger } from '../../internal/logger.js';
import type { Source } from '../source.js';
import { createHttpSource } from './http-source.js';
import { type HttpSourceInput, httpSourceSchema } from './http-source-schema.js';
import { sendJson, startUpstream, type Upstream, verifyMd5Signature } from './test-upstream.js';

const SECRET = 'top-secret-key';
let upstream: Upstream;

before(async () => {
  upstream = await startUpstream();
});
after(async () => {
  await upstream.close();
});

/** A source against the test upstream, with fast test timings unless overridden. */
function source(
  input: Partial<HttpSourceInput> & Pick<HttpSourceInput, 'response'>,
  clock: Clock = systemClock,
): Source {
  const options = httpSourceSchema.parse({
    name: 'primary',
    type: 'http',
    baseUrl: upstream.url,
    timeoutMs: 2000,
    retries: 0,
    backoff: { initialMs: 1, maxMs: 5 },
    ...input,
  });
  return createHttpSource({ options, clock, logger: silentLogger });
}

const drawResponse = { records: 'retdata', key: 'issue', success: { path: 'codeid', equals: 10000 } };
const ref = (partition: string, ordinal = 0) => ({ ordinal, vars: { partition } });

/** Awaits `promise`, expecting a GapwardenError, and returns it. */
async function failure(promise: Promise<unknown>): Promise<GapwardenError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GapwardenError, `expected a GapwardenError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('http source: requests', () => {
  it('sends templated query parameters with an MD5 signature the upstream accepts, and maps records', async () => {
    upstream.route('/signed/latest', (req, res) => {
      if (!verifyMd5Signature(req.query, SECRET))
        return sendJson(res, 401, { codeid: 10001, message: 'bad sign' });
      sendJson(res, 200, {
        codeid: 10000,
        retdata: [{ issue: 3300001, nums: [1, 2, 3] }, { issue: '3300002' }],
      });
    });
    const clock = createManualClock(Date.UTC(2025, 9, 3, 16, 0, 0));
    const s = source(
      {
        latest: {
          url: '/signed/latest',
          query: { appid: 45928, format: 'json', time: '${now.unix}', empty: '' },
        },
        sign: { method: 'md5-sorted', secret: SECRET },
        response: drawResponse,
      },
      clock,
    );
    const result = await s.latest();
    assert.equal(result.source, 'primary');
    assert.deepEqual(result.rejected, []);
    assert.deepEqual(result.records, [
      { key: '3300001', partition: 3300001, payload: { issue: 3300001, nums: [1, 2, 3] } },
      { key: '3300002', partition: '3300002', payload: { issue: '3300002' } },
    ]);
    const seen = upstream.seen('/signed/latest');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.query.time, String(Date.UTC(2025, 9, 3, 16, 0, 0) / 1000));
    assert.equal(seen[0]?.query.appid, '45928');
  });

  it('fails with SOURCE_HTTP 401 (not retried) when the secret is wrong, without leaking the secret', async () => {
    const s = source({
      latest: { url: '/signed/latest', query: { appid: '45928', time: '${now.unix}' } },
      sign: { method: 'md5-sorted', secret: 'wrong-secret' },
      response: drawResponse,
      retries: 2,
    });
    const before = upstream.seen('/signed/latest').length;
    const err = await failure(s.latest());
    assert.equal(err.code, 'SOURCE_HTTP');
    assert.equal(err.retryable, false);
    assert.equal(err.details.status, 401);
    assert.equal(upstream.seen('/signed/latest').length, before + 1);
    const text = JSON.stringify({ message: err.message, details: err.details });
    assert.ok(!text.includes('wrong-secret'));
    assert.match(String(err.details.url), /sign=\*\*\*/);
  });

  it('POSTs a templated JSON body with an HMAC-SHA256 signature in a header', async () => {
    upstream.route('/hmac/history', (req, res) => {
      const expected = createHmac('sha256', SECRET).update(`issue=${req.query.issue}`).digest('hex');
      if (req.headers['x-sign'] !== expected) return sendJson(res, 401, { error: 'bad hmac' });
      const body = JSON.parse(req.body) as { issue: string };
      sendJson(res, 200, { codeid: 10000, retdata: { issue: body.issue } });
    });
    const s = source({
      byKey: {
        url: '/hmac/history',
        method: 'POST',
        query: { issue: '${partition}' },
        body: { issue: '${partition}' },
      },
      sign: { method: 'hmac-sha256', secret: SECRET, param: 'x-sign', in: 'header' },
      // This upstream answers with the record itself, not a list.
      response: { ...drawResponse, single: true },
    });
    const result = await s.byKey(ref('3300100'));
    assert.deepEqual(
      result.records.map((r) => r.key),
      ['3300100'],
    );
    assert.equal(upstream.seen('/hmac/history')[0]?.headers['content-type'], 'application/json');
  });

  it('uses a sign function: its parameters are the rendered query, its object result is merged in', async () => {
    upstream.route('/custom-sign', (req, res) =>
      req.query.sig === `v1:${req.query.issue}` && req.query.nonce === 'n-1'
        ? sendJson(res, 200, { codeid: 10000, retdata: [{ issue: Number(req.query.issue) }] })
        : sendJson(res, 401, { error: 'bad sig' }),
    );
    const seenParams: Record<string, string>[] = [];
    const s = source({
      byKey: { url: '/custom-sign', query: { issue: '${partition}' } },
      sign: (params) => {
        seenParams.push({ ...params });
        return { sig: `v1:${params.issue}`, nonce: 'n-1' };
      },
      response: drawResponse,
    });
    assert.equal((await s.byKey(ref('55'))).records[0]?.key, '55');
    assert.deepEqual(seenParams, [{ issue: '55' }]);
  });

  it('fails with SOURCE_RESPONSE_INVALID naming the found value when the success predicate fails', async () => {
    upstream.route('/predicate', (_req, res) => sendJson(res, 200, { codeid: 10001, message: 'sign error' }));
    const s = source({ latest: { url: '/predicate' }, response: drawResponse, retries: 2 });
    const err = await failure(s.latest());
    assert.equal(err.code, 'SOURCE_RESPONSE_INVALID');
    assert.match(err.message, /codeid was 10001, expected 10000/);
    // A well-formed error answer is not retried within the call; the backfill decides when to try again.
    assert.equal(upstream.seen('/predicate').length, 1);
  });

  it('retries a 500 and returns the next successful answer', async () => {
    upstream.route('/flaky', (_req, res, n) =>
      n === 1
        ? sendJson(res, 500, { error: 'boom' })
        : sendJson(res, 200, { codeid: 10000, retdata: [{ issue: 1 }] }),
    );
    const s = source({ latest: { url: '/flaky' }, response: drawResponse, retries: 2 });
    const result = await s.latest();
    assert.deepEqual(
      result.records.map((r) => r.key),
      ['1'],
    );
    assert.equal(upstream.seen('/flaky').length, 2);
  });

  it('gives up after `retries` extra attempts with a retryable SOURCE_HTTP carrying the status', async () => {
    upstream.route('/down', (_req, res) => sendJson(res, 503, { error: 'down' }));
    const s = source({ latest: { url: '/down' }, response: drawResponse, retries: 2 });
    const err = await failure(s.latest());
    assert.equal(err.code, 'SOURCE_HTTP');
    assert.equal(err.retryable, true);
    assert.equal(err.details.status, 503);
    assert.equal(err.details.attempts, 3);
    assert.equal(upstream.seen('/down').length, 3);
  });

  it('times out a slow response with SOURCE_TIMEOUT, hanging up on the server', async () => {
    // The server never answers: a call that waited for the answer instead of its timeout would never end.
    let sawHangUp!: () => void;
    const hungUp = new Promise<void>((r) => {
      sawHangUp = r;
    });
    upstream.route('/slow', async (_req, res) => {
      await new Promise<void>((r) => res.once('close', r));
      sawHangUp();
    });
    const s = source({ latest: { url: '/slow' }, response: drawResponse, timeoutMs: 100 });
    const err = await failure(s.latest());
    assert.equal(err.code, 'SOURCE_TIMEOUT');
    assert.equal(err.retryable, true);
    assert.equal(err.details.timeoutMs, 100);
    await hungUp; // the client closed the connection at its timeout
  });

  it('retries a malformed JSON body, then fails with SOURCE_RESPONSE_INVALID', async () => {
    upstream.route('/garbled', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"codeid": 10000, "retdata": [');
    });
    const s = source({ latest: { url: '/garbled' }, response: drawResponse, retries: 1 });
    const err = await failure(s.latest());
    assert.equal(err.code, 'SOURCE_RESPONSE_INVALID');
    assert.match(err.message, /malformed JSON/);
    assert.equal(upstream.seen('/garbled').length, 2);
  });

  it('waits for Retry-After on a 429 before asking again', async () => {
    upstream.route('/limited', (_req, res, n) =>
      n === 1
        ? sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' })
        : sendJson(res, 200, { codeid: 10000, retdata: [{ issue: 7 }] }),
    );
    const s = source({ latest: { url: '/limited' }, response: drawResponse, retries: 1 });
    const result = await s.latest();
    assert.equal(result.records.length, 1);
    const [first, second] = upstream.seen('/limited');
    assert.ok(first && second);
    // Retry-After is one second; allow a few ms of timer and clock granularity.
    assert.ok(second.at - first.at >= 990, `second request came after ${second.at - first.at} ms`);
  });

  it('hands a Retry-After longer than maxRetryAfterMs back to the caller at once', async () => {
    upstream.route('/limited-long', (_req, res) =>
      sendJson(res, 429, { error: 'come back later' }, { 'retry-after': '120' }),
    );
    const s = source({ latest: { url: '/limited-long' }, response: drawResponse, retries: 3 });
    const err = await failure(s.latest());
    assert.equal(err.code, 'SOURCE_HTTP');
    assert.equal(err.retryable, true);
    assert.equal(err.details.retryAfterMs, 120_000);
    assert.equal(upstream.seen('/limited-long').length, 1);
  });

  it('turns a network error into a retryable SOURCE_HTTP', async () => {
    // A port that was just free: nothing listens there, so the connection is refused.
    const gone = await startUpstream();
    await gone.close();
    const options = httpSourceSchema.parse({
      name: 'nowhere',
      type: 'http',
      latest: { url: `${gone.url}/latest` },
      response: drawResponse,
      retries: 0,
    });
    const s = createHttpSource({ options, clock: systemClock, logger: silentLogger });
    const err = await failure(s.latest());
    assert.equal(err.code, 'SOURCE_HTTP');
    assert.equal(err.retryable, true);
    assert.match(err.message, /ECONNREFUSED/);
  });

  it('stops at once with ABORTED when the caller aborts', async () => {
    upstream.route('/slow-abort', async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1000));
      if (!res.destroyed) sendJson(res, 200, { codeid: 10000, retdata: [] });
    });
    const s = source({ latest: { url: '/slow-abort' }, response: drawResponse, retries: 2 });
    const err = await failure(s.latest(AbortSignal.timeout(50)));
    assert.equal(err.code, 'ABORTED');
    assert.equal(upstream.seen('/slow-abort').length, 1);
  });
});

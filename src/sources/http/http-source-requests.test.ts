import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../internal/clock.js';
import { silentLogger } from '../../internal/logger.js';
import type { Source } from '../source.js';
import type { SourceRequestReport } from '../source-request.js';
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

const response = {
  records: 'retdata',
  key: 'issue',
  success: { path: 'codeid', equals: 10000 },
  notFound: { path: 'codeid', equals: 10004 },
};
const ref = (partition: string) => ({ ordinal: Number(partition), vars: { partition } });

/** A source against the test upstream and the reports it makes. */
function reporting(input: Partial<HttpSourceInput>): { s: Source; seen: SourceRequestReport[] } {
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
  const seen: SourceRequestReport[] = [];
  const s = createHttpSource({
    options,
    clock: systemClock,
    logger: silentLogger,
    onRequest: (r) => seen.push(r),
  });
  return { s, seen };
}

/** The reports without their durations, which vary. */
const outcomes = (seen: SourceRequestReport[]) => seen.map(({ ms: _ms, ...rest }) => rest);

describe('http source: request reports for metrics', () => {
  it('reports every attempt of a retried call with its status and outcome', async () => {
    upstream.route('/retried', (_req, res, n) => {
      if (n === 1) return sendJson(res, 503, { error: 'busy' });
      if (n === 2) return sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '0' });
      sendJson(res, 200, { codeid: 10000, retdata: [{ issue: 1 }] });
    });
    const { s, seen } = reporting({ latest: { url: '/retried' }, retries: 2 });
    await s.latest();
    assert.deepEqual(outcomes(seen), [
      { source: 'primary', kind: 'latest', outcome: 'http_5xx', status: 503 },
      { source: 'primary', kind: 'latest', outcome: 'rate_limited', status: 429 },
      { source: 'primary', kind: 'latest', outcome: 'ok', status: 200 },
    ]);
    assert.ok(seen.every((r) => r.ms >= 0 && r.ms < 2000));
  });

  it('tells not found (404 or the notFound predicate) from a body that fails the success predicate', async () => {
    upstream.route('/by-key', (req, res) => {
      if (req.query.issue === '404') return sendJson(res, 404, { error: 'none' });
      if (req.query.issue === '4') return sendJson(res, 200, { codeid: 10004 });
      sendJson(res, 200, { codeid: 10001, message: 'bad app id' });
    });
    const { s, seen } = reporting({ byKey: { url: '/by-key', query: { issue: '${partition}' } } });
    for (const p of ['404', '4', '5']) await s.byKey(ref(p)).catch(() => {});
    assert.deepEqual(
      outcomes(seen).map((r) => [r.kind, r.outcome, r.status]),
      [
        ['byKey', 'not_found', 404],
        ['byKey', 'not_found', 200],
        ['byKey', 'malformed', 200],
      ],
    );
  });

  it('tells apart each way a request fails: 5xx, 4xx, no answer, a malformed body, every item rejected, a timeout', async () => {
    upstream.route('/outcomes', async (req, res) => {
      const answer = req.query.issue;
      if (answer === '500') return sendJson(res, 500, { error: 'boom' });
      if (answer === '403') return sendJson(res, 403, { error: 'forbidden' });
      if (answer === 'not-json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"codeid":10000,"retdata":[{"issue":');
      }
      if (answer === 'no-records-path') return sendJson(res, 200, { codeid: 10000 });
      if (answer === 'all-rejected') return sendJson(res, 200, { codeid: 10000, retdata: [{ id: 1 }, 7] });
      if (answer === 'some-rejected')
        return sendJson(res, 200, { codeid: 10000, retdata: [{ issue: 1 }, { id: 2 }] });
      // A stall: the answer never comes before the client gives up.
      await new Promise<void>((r) => res.once('close', r));
    });
    const { s, seen } = reporting({
      byKey: { url: '/outcomes', query: { issue: '${partition}' } },
      timeoutMs: 200,
    });
    const asked = ['500', '403', 'not-json', 'no-records-path', 'all-rejected', 'some-rejected', 'stall'];
    for (const p of asked) await s.byKey(ref(p)).catch(() => {});
    // Nothing listens on a port just closed: the connection is refused.
    const closed = await startUpstream();
    await closed.close();
    const { s: unreachable, seen: seenUnreachable } = reporting({
      baseUrl: closed.url,
      byKey: { url: '/outcomes', query: { issue: '1' } },
    });
    await unreachable.byKey(ref('1')).catch(() => {});
    assert.deepEqual(
      outcomes([...seen, ...seenUnreachable]).map((r) => [r.outcome, r.status]),
      [
        ['http_5xx', 500],
        ['http_4xx', 403],
        ['malformed', 200],
        ['malformed', 200],
        ['rejected', 200],
        ['ok', 200],
        ['timeout', undefined],
        ['network', undefined],
      ],
    );
  });

  it('reports each page of a range, and a timeout without a status', async () => {
    upstream.route('/pages', (req, res) =>
      sendJson(res, 200, {
        codeid: 10000,
        retdata: req.query.page === '1' ? [{ issue: 1 }, { issue: 2 }] : [],
      }),
    );
    upstream.route('/stall', async (_req, res) => {
      await new Promise((r) => setTimeout(r, 500));
      if (!res.destroyed) sendJson(res, 200, { codeid: 10000, retdata: [] });
    });
    const { s, seen } = reporting({
      byRange: { url: '/pages', query: { page: '${page}' }, pagination: {} },
      latest: { url: '/stall' },
      timeoutMs: 50,
    });
    await s.byRange(ref('1'), ref('2'));
    await s.latest().catch(() => {});
    assert.deepEqual(
      outcomes(seen).map((r) => [r.kind, r.outcome, r.status]),
      [
        ['byRange', 'ok', 200],
        ['byRange', 'ok', 200],
        ['latest', 'timeout', undefined],
      ],
    );
  });

  it('does not report a request the caller aborted', async () => {
    upstream.route('/aborted', async (_req, res) => {
      await new Promise((r) => setTimeout(r, 500));
      if (!res.destroyed) sendJson(res, 200, { codeid: 10000, retdata: [] });
    });
    const { s, seen } = reporting({ latest: { url: '/aborted' } });
    await s.latest(AbortSignal.timeout(30)).catch(() => {});
    assert.deepEqual(seen, []);
  });

  it('keeps fetching when the listener throws', async () => {
    upstream.route('/listener', (_req, res) =>
      sendJson(res, 200, { codeid: 10000, retdata: [{ issue: 9 }] }),
    );
    const options = httpSourceSchema.parse({
      name: 'primary',
      type: 'http',
      baseUrl: upstream.url,
      latest: { url: '/listener' },
      response,
    });
    const s = createHttpSource({
      options,
      clock: systemClock,
      logger: silentLogger,
      onRequest: () => {
        throw new Error('listener bug');
      },
    });
    assert.equal((await s.latest()).records.length, 1);
  });
});

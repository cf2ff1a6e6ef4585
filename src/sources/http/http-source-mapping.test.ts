// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are gapwarden request templates, not JS template literals.
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

function source(input: Partial<HttpSourceInput> & Pick<HttpSourceInput, 'response'>): Source {
  const options = httpSourceSchema.parse({
    name: 'primary',
    type: 'http',
    baseUrl: upstream.url,
    retries: 0,
    ...input,
  });
  return createHttpSource({ options, clock: systemClock, logger: silentLogger });
}

const drawResponse = {
  records: 'retdata',
  key: 'issue',
  success: { path: 'codeid', equals: 10000 },
  notFound: { path: 'codeid', equals: 10004 },
};
const ref = (partition: string, ordinal = Number(partition)) => ({ ordinal, vars: { partition } });

async function failure(promise: Promise<unknown>): Promise<GapwardenError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GapwardenError, `expected a GapwardenError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('http source: response mapping', () => {
  it('rejects items without a usable key and keeps the valid ones of the same response', async () => {
    upstream.route('/mixed', (_req, res) =>
      sendJson(res, 200, {
        codeid: 10000,
        retdata: [
          { issue: 1, n: 'a' },
          { n: 'no key' },
          'not an object',
          { issue: true },
          { issue: 5, n: 'e' },
        ],
      }),
    );
    const result = await source({
      latest: { url: '/mixed' },
      response: { ...drawResponse, payload: 'n' },
    }).latest();
    assert.deepEqual(result.records, [
      { key: '1', partition: 1, payload: 'a' },
      { key: '5', partition: 5, payload: 'e' },
    ]);
    assert.deepEqual(
      result.rejected.map((r) => r.reason),
      [
        'item 1: key field "issue" is missing',
        'item 2: not an object (found a string)',
        'item 3: key field "issue" is a boolean, expected a string or a number',
      ],
    );
  });

  it('reads nested key, partition and payload paths', async () => {
    upstream.route('/nested', (_req, res) =>
      sendJson(res, 200, {
        data: { rows: [{ meta: { id: 'x1', day: '2025-10-03' }, values: { close: 12.5 } }] },
      }),
    );
    const result = await source({
      latest: { url: '/nested' },
      response: { records: 'data.rows', key: 'meta.id', partition: 'meta.day', payload: 'values' },
    }).latest();
    assert.deepEqual(result.records, [{ key: 'x1', partition: '2025-10-03', payload: { close: 12.5 } }]);
  });

  it('fails with SOURCE_RESPONSE_INVALID when the records path is missing', async () => {
    upstream.route('/no-records', (_req, res) => sendJson(res, 200, { codeid: 10000 }));
    const err = await failure(source({ latest: { url: '/no-records' }, response: drawResponse }).latest());
    assert.equal(err.code, 'SOURCE_RESPONSE_INVALID');
    assert.match(err.message, /records path "retdata" is missing/);
  });

  it('fails with SOURCE_RESPONSE_INVALID when the records path holds an object, naming the path and its fields', async () => {
    // A wrong path (the list is one level deeper) must not be taken as one record.
    upstream.route('/object', (_req, res) =>
      sendJson(res, 200, { codeid: 10000, retdata: { total: 2, list: [{ issue: 1 }, { issue: 2 }] } }),
    );
    const err = await failure(source({ latest: { url: '/object' }, response: drawResponse }).latest());
    assert.equal(err.code, 'SOURCE_RESPONSE_INVALID');
    assert.equal(err.retryable, true);
    assert.match(
      err.message,
      /records path "retdata" holds an object \(fields: total, list\), expected an array of items; .*response\.single: true/,
    );
  });

  it('takes an object at the records path as one record only when response.single is set', async () => {
    upstream.route('/one', (req, res) =>
      sendJson(res, 200, { codeid: 10000, retdata: { issue: Number(req.query.issue), n: 'x' } }),
    );
    upstream.route('/many', (_req, res) => sendJson(res, 200, { codeid: 10000, retdata: [{ issue: 8 }] }));
    const single = { ...drawResponse, single: true };
    const one = await source({
      byKey: { url: '/one', query: { issue: '${partition}' } },
      response: single,
    }).byKey(ref('7'));
    assert.deepEqual(one.records, [{ key: '7', partition: 7, payload: { issue: 7, n: 'x' } }]);
    // An array is still the items.
    const many = await source({ latest: { url: '/many' }, response: single }).latest();
    assert.deepEqual(
      many.records.map((r) => r.key),
      ['8'],
    );
  });
});

describe('http source: not found', () => {
  it('turns HTTP 404 on byKey into SOURCE_NOT_FOUND (not retryable)', async () => {
    upstream.route('/gone', (_req, res) => sendJson(res, 404, { error: 'no such issue' }));
    const err = await failure(
      source({ byKey: { url: '/gone', query: { issue: '${partition}' } }, response: drawResponse }).byKey(
        ref('42'),
      ),
    );
    assert.equal(err.code, 'SOURCE_NOT_FOUND');
    assert.equal(err.retryable, false);
  });

  it('treats the notFound predicate and an empty answer on byKey as SOURCE_NOT_FOUND', async () => {
    upstream.route('/history', (req, res) =>
      req.query.issue === '1'
        ? sendJson(res, 200, { codeid: 10004, message: 'no data' })
        : sendJson(res, 200, { codeid: 10000, retdata: [] }),
    );
    const s = source({
      byKey: { url: '/history', query: { issue: '${partition}' } },
      response: drawResponse,
    });
    assert.equal((await failure(s.byKey(ref('1')))).code, 'SOURCE_NOT_FOUND');
    assert.equal((await failure(s.byKey(ref('2')))).code, 'SOURCE_NOT_FOUND');
  });
});

describe('http source: byRange', () => {
  /** 5 draws served 2 per page; pages past the end are empty. */
  const routePaged = (path: string) =>
    upstream.route(path, (req, res) => {
      const from = Number(req.query.from);
      const to = Number(req.query.to);
      const all = Array.from({ length: to - from + 1 }, (_, i) => ({ issue: from + i }));
      const page = Number(req.query.page);
      sendJson(res, 200, { codeid: 10000, retdata: all.slice((page - 1) * 2, page * 2) });
    });

  it('follows pagination across 3 pages until a short page', async () => {
    routePaged('/paged');
    const s = source({
      byRange: {
        url: '/paged',
        query: { from: '${from}', to: '${to}', page: '${page}' },
        pagination: { pageStart: 1, maxPages: 10, stopWhenFewerThan: 2 },
      },
      response: drawResponse,
    });
    const result = await s.byRange(ref('100'), ref('104'));
    assert.deepEqual(
      result.records.map((r) => r.key),
      ['100', '101', '102', '103', '104'],
    );
    assert.deepEqual(
      upstream.seen('/paged').map((r) => [r.query.from, r.query.to, r.query.page]),
      [
        ['100', '104', '1'],
        ['100', '104', '2'],
        ['100', '104', '3'],
      ],
    );
  });

  it('without stopWhenFewerThan, stops at the first empty page; and never goes past maxPages', async () => {
    routePaged('/paged-empty');
    const paged = (maxPages: number) =>
      source({
        byRange: {
          url: '/paged-empty',
          query: { from: '${from}', to: '${to}', page: '${page}' },
          pagination: { maxPages },
        },
        response: drawResponse,
      });
    assert.equal((await paged(10).byRange(ref('1'), ref('4'))).records.length, 4);
    assert.equal(upstream.seen('/paged-empty').length, 3);
    assert.equal((await paged(1).byRange(ref('1'), ref('4'))).records.length, 2);
    assert.equal(upstream.seen('/paged-empty').length, 4);
  });

  it('stops when the upstream ignores the page parameter and repeats a page', async () => {
    upstream.route('/same-page', (_req, res) =>
      sendJson(res, 200, { codeid: 10000, retdata: [{ issue: 1 }, { issue: 2 }] }),
    );
    const s = source({
      byRange: { url: '/same-page', query: { page: '${page}' }, pagination: { maxPages: 50 } },
      response: drawResponse,
    });
    assert.equal((await s.byRange(ref('1'), ref('2'))).records.length, 2);
    assert.equal(upstream.seen('/same-page').length, 2);
  });

  it('answers byKey with a one-partition range when only byRange is configured', async () => {
    routePaged('/paged-key');
    const s = source({
      byRange: {
        url: '/paged-key',
        query: { from: '${from}', to: '${to}', page: '${page}' },
        pagination: { stopWhenFewerThan: 2 },
      },
      response: drawResponse,
    });
    assert.deepEqual(s.capabilities, { latest: false, byKey: true, byRange: true });
    const result = await s.byKey(ref('77'));
    assert.deepEqual(
      result.records.map((r) => r.key),
      ['77'],
    );
    assert.equal((await failure(s.latest())).code, 'SOURCE_UNSUPPORTED');
  });
});

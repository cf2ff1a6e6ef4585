import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../internal/clock.js';
import { GapwardenError } from '../../internal/errors.js';
import { silentLogger } from '../../internal/logger.js';
import type { Source } from '../source.js';
import { createHttpSource } from './http-source.js';
import { type HttpSourceInput, httpSourceSchema } from './http-source-schema.js';
import { startUpstream, type Upstream } from './test-upstream.js';

let upstream: Upstream;
before(async () => {
  upstream = await startUpstream();
});
after(async () => {
  await upstream.close();
});

const MB = 1024 * 1024;

function source(input: Partial<HttpSourceInput>): Source {
  const options = httpSourceSchema.parse({
    name: 'big',
    type: 'http',
    baseUrl: upstream.url,
    timeoutMs: 20_000,
    retries: 0,
    response: { records: 'retdata', key: 'issue' },
    ...input,
  });
  return createHttpSource({ options, clock: systemClock, logger: silentLogger });
}

/**
 * Streams a valid JSON body of `total` bytes in 64 kB chunks, honouring
 * backpressure; resolves with the bytes handed to the socket once the client
 * hung up or the body was sent.
 */
function streamJson(
  res: ServerResponse,
  total: number,
  status = 200,
  declareLength = false,
): Promise<number> {
  const head = '{"retdata":[{"issue":1}],"pad":"';
  const tail = '"}';
  const chunk = Buffer.alloc(64 * 1024, 'x');
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(declareLength ? { 'content-length': String(total) } : {}),
  });
  res.write(head);
  let written = head.length;
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (!done) resolve(written);
      done = true;
    };
    res.once('close', finish);
    const pump = () => {
      while (!res.destroyed && written + chunk.length + tail.length <= total) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) {
        const rest = total - written - tail.length;
        res.end(`${'x'.repeat(Math.max(0, rest))}${tail}`);
        written = total;
      }
      finish();
    };
    pump();
  });
}

async function failure(p: Promise<unknown>): Promise<GapwardenError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GapwardenError, `a GapwardenError, got ${String(err)}`);
    return err;
  }
  assert.fail('the call succeeded');
}

describe('http source: response size limit', () => {
  it('fails a 50 MB answer with a clear, non-retryable error once 16 MiB (the default) have arrived', async () => {
    let sent: Promise<number> = Promise.resolve(0);
    upstream.route('/huge', (_req, res) => {
      sent = streamJson(res, 50 * MB);
    });
    const err = await failure(source({ latest: { url: '/huge' } }).latest());
    assert.equal(err.code, 'SOURCE_RESPONSE_INVALID');
    assert.equal(err.retryable, false, 'the same request would get the same answer');
    assert.match(
      err.message,
      /answered more than 16777216 bytes \(maxResponseBytes\); raise maxResponseBytes/,
    );
    assert.equal(err.details.maxResponseBytes, 16 * MB);
    const written = await sent;
    assert.ok(
      written < 40 * MB,
      `the upstream sent ${written} bytes before the client hung up, not all 50 MB`,
    );
  });

  it('refuses at once a body whose Content-Length is over the limit', async () => {
    let sent: Promise<number> = Promise.resolve(0);
    upstream.route('/declared', (_req, res) => {
      sent = streamJson(res, 50 * MB, 200, true);
    });
    const err = await failure(source({ latest: { url: '/declared' }, maxResponseBytes: MB }).latest());
    assert.equal(err.code, 'SOURCE_RESPONSE_INVALID');
    assert.match(err.message, /more than 1048576 bytes/);
    assert.ok((await sent) < 40 * MB);
  });

  it('reads an answer within the limit, and reports an oversized error answer by its status', async () => {
    upstream.route('/fits', (_req, res) => void streamJson(res, MB - 10));
    const ok = await source({ latest: { url: '/fits' }, maxResponseBytes: MB }).latest();
    assert.deepEqual(
      ok.records.map((r) => r.key),
      ['1'],
    );
    upstream.route('/broken', (_req, res) => void streamJson(res, 50 * MB, 500));
    const err = await failure(source({ latest: { url: '/broken' } }).latest());
    assert.equal(err.code, 'SOURCE_HTTP');
    assert.equal(err.details.status, 500);
    assert.match(String(err.details.bodyStart), /^\{"retdata"/);
  });
});

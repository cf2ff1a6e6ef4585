import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../internal/clock.js';
import { GapwardenError } from '../internal/errors.js';
import { silentLogger } from '../internal/logger.js';
import { createRedactor } from '../internal/redactor.js';
import { createFunctionSource } from './function-source.js';
import { createHttpSource } from './http/http-source.js';
import { httpSourceSchema } from './http/http-source-schema.js';
import { sendJson, startUpstream, type Upstream } from './http/test-upstream.js';
import { redactError, redactingSource } from './redacting-source.js';

const SECRET = 'gw-path-secret 42';
const redact = createRedactor([SECRET]);

let upstream: Upstream;
before(async () => {
  upstream = await startUpstream();
});
after(async () => {
  await upstream.close();
});

async function failure(p: Promise<unknown>): Promise<GapwardenError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GapwardenError);
    return err;
  }
  assert.fail('the call succeeded');
}

describe('secrets in source errors', () => {
  it('an HTTP source masks a secret URL path segment and query value in its errors at birth', async () => {
    upstream.route(new URL(`http://h/v1/${SECRET}/latest`).pathname, (_req, res) =>
      sendJson(res, 503, { error: 'busy' }),
    );
    const options = httpSourceSchema.parse({
      name: 'api',
      type: 'http',
      baseUrl: upstream.url,
      latest: { url: `/v1/${SECRET}/latest`, query: { appcode: SECRET } },
      response: { records: 'data', key: 'id' },
      retries: 0,
    });
    const source = createHttpSource({ options, clock: systemClock, logger: silentLogger, redact });
    const err = await failure(source.latest());
    assert.equal(err.code, 'SOURCE_HTTP');
    assert.match(
      err.message,
      /GET http:\/\/127\.0\.0\.1:\d+\/v1\/\*\*\*\/latest\?appcode=\*\*\* answered HTTP 503/,
    );
    assert.match(String(err.details.url), /\/v1\/\*\*\*\/latest\?appcode=\*\*\*$/);
  });

  it('redactingSource masks message, details and cause, keeping code and retryable', async () => {
    const inner = createFunctionSource({
      name: 'fn',
      latest: () => {
        throw new GapwardenError('SOURCE_HTTP', `upstream said: unknown key ${SECRET}`, {
          retryable: true,
          cause: new Error(`socket to /${encodeURIComponent(SECRET)}`),
          details: { bodyStart: `{"echo":"${SECRET}"}`, status: 500 },
        });
      },
    });
    const err = await failure(redactingSource(inner, redact).latest());
    assert.equal(err.code, 'SOURCE_HTTP');
    assert.equal(err.retryable, true);
    assert.equal(err.message, 'upstream said: unknown key ***');
    assert.deepEqual(err.details, { bodyStart: '{"echo":"***"}', status: 500 });
    assert.equal((err.cause as Error).message, 'socket to /***');
  });

  it('leaves an error without secrets as it is', () => {
    const plain = new GapwardenError('SOURCE_TIMEOUT', 'timed out', { details: { ms: 5 } });
    assert.equal(redactError(plain, redact), plain);
  });
});

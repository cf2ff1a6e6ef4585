import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { compileReceiver, sampleNotification, T0 } from '../../../test/helpers/alert-notifications.js';
import { type RecordingReceiver, startRecordingReceiver } from '../../../test/helpers/recording-receiver.js';
import { createManualClock } from '../../internal/clock.js';
import { silentLogger } from '../../internal/logger.js';
import { createRedactor } from '../../internal/redactor.js';
import { createNotifier } from './create-notifier.js';
import { verifyWebhookSignature } from './webhook-signature.js';

const NOW = T0 + 12 * 60_000 + 500;
const SECRET = 'whsec-test-0123456789';

describe('webhook notifier', () => {
  let hook: RecordingReceiver;
  const clock = createManualClock(NOW);
  const deps = { clock, logger: silentLogger };
  const never = new AbortController().signal;

  before(async () => {
    hook = await startRecordingReceiver();
  });
  after(() => hook.close());
  beforeEach(() => {
    clock.set(NOW);
    hook.requests.length = 0;
    hook.reply = () => ({ status: 200, body: '' });
  });

  const notifier = (over: Record<string, unknown> = {}) =>
    createNotifier(
      compileReceiver({ channel: 'webhook', url: `${hook.url}/hooks/gapwarden`, ...over }),
      deps,
    );

  it('posts the notification as JSON with its message, and signs it with the documented scheme', async () => {
    const outcome = await notifier({ secret: SECRET, headers: { 'X-Team': 'data' } }).send(
      sampleNotification(),
      never,
    );
    assert.deepEqual(outcome, { ok: true, status: 200 });
    const [req] = hook.requests;
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/hooks/gapwarden');
    assert.equal(req.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(req.headers['idempotency-key'], 'n-42:ops');
    assert.equal(req.headers['x-gapwarden-event'], 'firing');
    assert.equal(req.headers['x-team'], 'data');
    // The scheme, computed here on its own: hex HMAC-SHA256 of "<timestamp>.<raw body>".
    const timestamp = String(Math.floor(NOW / 1000));
    assert.equal(req.headers['x-gapwarden-timestamp'], timestamp);
    const expected = createHmac('sha256', SECRET).update(`${timestamp}.${req.body}`).digest('hex');
    assert.equal(req.headers['x-gapwarden-signature'], `sha256=${expected}`);
    const body = req.json() as Record<string, unknown>;
    assert.equal(body.version, 1);
    assert.equal(body.kind, 'firing');
    assert.equal(body.idempotencyKey, 'n-42:ops');
    assert.equal(body.createdAt, '2024-05-01T02:12:00.000Z');
    assert.equal(body.title, '[P0] FIRING: draws: 14 partitions missing (3021–3034)');
    assert.match(String(body.text), /Since: 2024-05-01 02:00:00 UTC \(for 12m\)/);
    assert.match(String(body.text), /Already tried: backfill: 3 attempts per partition/);
    assert.deepEqual(body.alerts, [
      {
        id: 12,
        fingerprint: 'f-gap-draws',
        rule: 'gap-large',
        severity: 'P0',
        state: 'firing',
        labels: { dataset: 'draws' },
        summary: 'draws: 14 partitions missing (3021–3034)',
        tried: 'backfill: 3 attempts per partition; source history answered HTTP 503',
        value: 14,
        startsAt: '2024-05-01T02:00:00.000Z',
        endsAt: null,
        occurrences: 1,
        url: 'http://127.0.0.1:7070/alerts/12',
      },
    ]);
    assert.equal(
      verifyWebhookSignature({
        secret: SECRET,
        timestamp: String(req.headers['x-gapwarden-timestamp']),
        signature: String(req.headers['x-gapwarden-signature']),
        body: req.body,
        nowMs: NOW + 60_000,
      }),
      true,
    );
  });

  it('verifies only the untouched body, with the right secret, within the tolerance', () => {
    const timestamp = String(Math.floor(NOW / 1000));
    const body = '{"kind":"firing"}';
    const signature = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`;
    const check = (over: Partial<Parameters<typeof verifyWebhookSignature>[0]>) =>
      verifyWebhookSignature({ secret: SECRET, timestamp, signature, body, nowMs: NOW, ...over });
    assert.equal(check({}), true);
    assert.equal(check({ body: '{"kind":"resolved"}' }), false, 'a changed body');
    assert.equal(check({ secret: 'another-secret' }), false, 'another secret');
    assert.equal(check({ timestamp: String(Number(timestamp) + 1) }), false, 'a changed timestamp');
    assert.equal(check({ nowMs: NOW + 301_000 }), false, 'replayed after 5 minutes');
    assert.equal(check({ signature: undefined }), false, 'unsigned');
  });

  it('sends no signature without a secret, and the same idempotency key on a retry', async () => {
    const n = notifier();
    await n.send(sampleNotification(), never);
    clock.advance(30_000);
    await n.send(sampleNotification(), never);
    assert.equal(hook.requests.length, 2);
    assert.equal(hook.requests[0]?.headers['x-gapwarden-signature'], undefined);
    assert.deepEqual(
      hook.requests.map((r) => r.headers['idempotency-key']),
      ['n-42:ops', 'n-42:ops'],
    );
    assert.equal(hook.requests[0]?.body, hook.requests[1]?.body, 'a retry sends the same body');
  });

  it('writes the message in the receiver’s language and time zone', async () => {
    await notifier({ language: 'zh-CN', timezone: 'Asia/Shanghai' }).send(sampleNotification(), never);
    const body = hook.requests[0]?.json() as { title: string; text: string; language: string };
    assert.equal(body.language, 'zh-CN');
    assert.equal(body.title, '[P0] 告警：draws: 14 partitions missing (3021–3034)');
    assert.match(body.text, /开始时间：2024-05-01 10:00:00 Asia\/Shanghai（已持续 12分钟）/);
  });

  it('maps answers to outcomes: 5xx and 429 retryable with Retry-After, other 4xx not, redirects not', async () => {
    const n = notifier();
    const answer = async (status: number, headers: Record<string, string> = {}, body = '') => {
      hook.reply = () => ({ status, headers, body });
      return n.send(sampleNotification(), never);
    };
    assert.deepEqual(await answer(503, { 'retry-after': '120' }, 'maintenance'), {
      ok: false,
      retryable: true,
      status: 503,
      retryAfterMs: 120_000,
      error: `webhook receiver "ops": POST ${hook.url} answered HTTP 503: maintenance`,
    });
    const dated = await answer(429, { 'retry-after': new Date(NOW + 30_000).toUTCString() });
    assert.equal(dated.ok, false);
    assert.equal(!dated.ok && dated.retryAfterMs, 29_500, 'an HTTP date is measured against the clock');
    const timeout = await answer(408);
    assert.equal(!timeout.ok && timeout.retryable, true);
    const gone = await answer(410, {}, '{"error":"hook deleted"}');
    assert.equal(gone.ok, false);
    assert.equal(!gone.ok && gone.retryable, false);
    assert.match(!gone.ok ? gone.error : '', /answered HTTP 410: \{"error":"hook deleted"\}$/);
    const moved = await answer(301, { location: 'https://elsewhere.example.com/hook' });
    assert.equal(!moved.ok && moved.retryable, false);
    assert.match(!moved.ok ? moved.error : '', /a redirect to https:\/\/elsewhere\.example\.com; configure/);
    assert.equal(hook.requests.length, 5, 'the redirect was not followed');
  });

  it('retries a receiver that is down or too slow, and gives up at once when aborted', async () => {
    const closed = await startRecordingReceiver();
    await closed.close();
    const down = await createNotifier(compileReceiver({ channel: 'webhook', url: closed.url }), deps).send(
      sampleNotification(),
      never,
    );
    assert.equal(!down.ok && down.retryable, true);
    assert.match(!down.ok ? down.error : '', /failed: ECONNREFUSED/);

    hook.reply = () => ({ hang: true });
    const slow = await notifier({ timeout: '100ms' }).send(sampleNotification(), never);
    assert.deepEqual(slow, {
      ok: false,
      retryable: true,
      error: `webhook receiver "ops": POST ${hook.url} timed out after 100 ms`,
    });

    const stop = new AbortController();
    const pending = notifier().send(sampleNotification(), stop.signal);
    await hook.waitFor(2);
    stop.abort();
    const aborted = await pending;
    assert.equal(!aborted.ok && aborted.retryable, true);
    assert.match(!aborted.ok ? aborted.error : '', /aborted/);
    const before = hook.requests.length;
    const early = await notifier().send(sampleNotification(), stop.signal);
    assert.match(!early.ok ? early.error : '', /not sent: delivery aborted/);
    assert.equal(hook.requests.length, before, 'nothing sent once aborted');
  });

  it('never puts a secret in an error: not the URL’s token, the secret, a header, nor the config’s', async () => {
    hook.reply = (req) => ({
      status: 400,
      body: `bad request to ${req.path}?${req.query} ${req.headers.authorization}`,
    });
    const n = createNotifier(
      compileReceiver({
        channel: 'webhook',
        url: `${hook.url}/hooks/tok-abcdefghijklmnop?token=query-secret-123`,
        secret: SECRET,
        headers: { Authorization: 'Bearer header-secret-456' },
      }),
      { ...deps, redact: createRedactor(['env-secret-789']) },
    );
    const outcome = await n.send(sampleNotification({ receiver: 'env-secret-789' }), never);
    assert.equal(outcome.ok, false);
    const error = !outcome.ok ? outcome.error : '';
    assert.match(error, /answered HTTP 400: bad request to/);
    for (const secret of ['tok-abcdefghijklmnop', 'query-secret-123', 'header-secret-456']) {
      assert.ok(!error.includes(secret), `${secret} in: ${error}`);
    }
    assert.match(error, /\*\*\*/);
  });

  it('sends user:password from the URL as Basic authorization', async () => {
    const url = hook.url.replace('http://', 'http://alerts:p%40ss@');
    await createNotifier(compileReceiver({ channel: 'webhook', url }), deps).send(
      sampleNotification(),
      never,
    );
    assert.equal(
      hook.requests[0]?.headers.authorization,
      `Basic ${Buffer.from('alerts:p@ss').toString('base64')}`,
    );
  });
});

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { compileReceiver, sampleNotification, T0 } from '../../../test/helpers/alert-notifications.js';
import { createManualClock } from '../../internal/clock.js';
import { silentLogger } from '../../internal/logger.js';
import type { Notifier } from '../notifier.js';
import { createNotifier } from './create-notifier.js';

const never = new AbortController().signal;
const PASSWORD = 'mail-pass-123';

interface Received {
  mail: ParsedMail;
  user: string | undefined;
  secure: boolean;
  rcpt: string[];
}

/** A real SMTP server (smtp-server): STARTTLS with its own self-signed certificate, a login, scripted refusals. */
describe('email notifier', () => {
  const received: Received[] = [];
  let dataAnswer: number | undefined;
  let port = 0;
  const server = new SMTPServer({
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'alerts' && auth.password === PASSWORD) return cb(null, { user: 'alerts' });
      return cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('nobody@')) {
        return cb(Object.assign(new Error('no such mailbox'), { responseCode: 550 }));
      }
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((mail) => {
        if (dataAnswer !== undefined) {
          return cb(Object.assign(new Error('try again later'), { responseCode: dataAnswer }));
        }
        received.push({
          mail,
          user: session.user as string | undefined,
          secure: session.secure,
          rcpt: session.envelope.rcptTo.map((r) => r.address),
        });
        cb();
      }, cb);
    },
  });
  const notifiers: Notifier[] = [];
  const deps = { clock: createManualClock(T0), logger: silentLogger };

  const email = (over: Record<string, unknown> = {}) => {
    const n = createNotifier(
      compileReceiver({
        channel: 'email',
        smtp: {
          host: '127.0.0.1',
          port,
          rejectUnauthorized: false,
          auth: { user: 'alerts', pass: PASSWORD },
        },
        from: 'gapwarden <alerts@example.com>',
        to: ['ops@example.com', 'data@example.com'],
        cc: 'lead@example.com',
        timeout: '5s',
        ...over,
      }),
      deps,
    );
    notifiers.push(n);
    return n;
  };

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  after(async () => {
    // The pools go first, or the server waits for their idle connections.
    await Promise.all(notifiers.map((n) => n.close?.()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    received.length = 0;
    dataAnswer = undefined;
  });

  it('sends subject, text and HTML after STARTTLS and a login, to every recipient', async () => {
    const outcome = await email().send(sampleNotification(), never);
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    assert.equal(received.length, 1);
    const [{ mail, user, secure, rcpt }] = received as [Received];
    assert.equal(user, 'alerts');
    assert.equal(secure, true, 'upgraded with STARTTLS');
    assert.deepEqual(rcpt, ['ops@example.com', 'data@example.com', 'lead@example.com']);
    assert.equal(mail.subject, '[P0] FIRING: draws: 14 partitions missing (3021–3034)');
    assert.equal(mail.from?.text, '"gapwarden" <alerts@example.com>');
    assert.match(mail.text ?? '', /Since: 2024-05-01 02:00:00 UTC \(for 12m\)/);
    assert.match(mail.text ?? '', /Already tried: backfill: 3 attempts per partition/);
    assert.match(mail.text ?? '', /Open the alerts page: http:\/\/127\.0\.0\.1:7070\/alerts/);
    assert.match(String(mail.html), /<h2 style="[^"]*">\[P0\] FIRING: draws: 14 partitions missing/);
    assert.match(String(mail.html), /<a href="http:\/\/127\.0\.0\.1:7070\/alerts\/12">View alert #12<\/a>/);
    assert.equal(mail.headers.get('x-gapwarden-idempotency-key'), 'n-42:ops');
    assert.equal(mail.headers.get('x-gapwarden-event'), 'firing');
    assert.match(mail.messageId ?? '', /^<[0-9a-f]{32}@example\.com>$/);
  });

  it('keeps the Message-ID of a notification on a retry, and threads one group with References', async () => {
    const n = email();
    await n.send(sampleNotification(), never);
    await n.send(sampleNotification(), never);
    await n.send(sampleNotification({ idempotencyKey: 'n-43:ops', kind: 'repeat' }), never);
    const ids = received.map((r) => r.mail.messageId);
    assert.equal(ids[0], ids[1], 'a retry: the same Message-ID, so a mail client shows it once');
    assert.notEqual(ids[0], ids[2]);
    const refs = received.map((r) => String(r.mail.references));
    assert.equal(new Set(refs).size, 1, 'one thread per alert group');
  });

  it('writes Simplified Chinese subjects and bodies for a zh-CN receiver', async () => {
    await email({ language: 'zh-CN', timezone: 'Asia/Shanghai' }).send(sampleNotification(), never);
    const mail = received[0]?.mail;
    assert.equal(mail?.subject, '[P0] 告警：draws: 14 partitions missing (3021–3034)');
    assert.match(mail?.text ?? '', /开始时间：2024-05-01 10:00:00 Asia\/Shanghai（已持续 12分钟）/);
    assert.match(String(mail?.html), /<html lang="zh-CN">/);
  });

  it('refuses for good on a bad login, without showing the password', async () => {
    const outcome = await email({
      smtp: {
        host: '127.0.0.1',
        port,
        rejectUnauthorized: false,
        auth: { user: 'alerts', pass: 'wrong-password-1' },
      },
    }).send(sampleNotification(), never);
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.retryable, false);
    assert.equal(!outcome.ok && outcome.status, 535);
    assert.match(
      !outcome.ok ? outcome.error : '',
      /^email receiver "ops": SMTP 127\.0\.0\.1:\d+: Invalid login/,
    );
    assert.ok(!(!outcome.ok ? outcome.error : '').includes('wrong-password-1'));
    assert.equal(received.length, 0);
  });

  it('retries a temporary refusal (4xx) and gives up on a permanent one (5xx)', async () => {
    dataAnswer = 451;
    const later = await email().send(sampleNotification(), never);
    assert.equal(!later.ok && later.retryable, true);
    assert.equal(!later.ok && later.status, 451);
    dataAnswer = undefined;
    const nobody = await email({ to: 'nobody@example.com', cc: [] }).send(sampleNotification(), never);
    assert.equal(!nobody.ok && nobody.retryable, false);
    assert.equal(!nobody.ok && nobody.status, 550);
    const some = await email({ to: ['ops@example.com', 'nobody@example.com'], cc: [] }).send(
      sampleNotification(),
      never,
    );
    assert.deepEqual(some, { ok: true, detail: 'refused by the server: nobody@example.com' });
    assert.deepEqual(received.at(-1)?.rcpt, ['ops@example.com']);
  });

  it('retries when the server cannot be reached', async () => {
    const closed = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = await email({ smtp: { host: '127.0.0.1', port: deadPort } }).send(
      sampleNotification(),
      never,
    );
    assert.equal(!outcome.ok && outcome.retryable, true);
    assert.match(!outcome.ok ? outcome.error : '', /ECONNREFUSED/);
  });

  it('reports a server that stops answering as timed out, retryable', async () => {
    const stalled: SMTPServer = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      onData(stream) {
        stream.resume(); // takes the message and never answers
      },
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const stalledPort = (stalled.server.address() as AddressInfo).port;
    const outcome = await email({ smtp: { host: '127.0.0.1', port: stalledPort }, timeout: '300ms' }).send(
      sampleNotification(),
      never,
    );
    assert.deepEqual(outcome, {
      ok: false,
      retryable: true,
      error: `email receiver "ops": SMTP 127.0.0.1:${stalledPort}: timed out after 300 ms`,
    });
    await new Promise<void>((resolve) => stalled.close(() => resolve()));
  });

  it('returns at once when aborted, and sends nothing when aborted before', async () => {
    const stop = new AbortController();
    stop.abort();
    const outcome = await email().send(sampleNotification(), stop.signal);
    assert.equal(!outcome.ok && outcome.retryable, true);
    assert.match(!outcome.ok ? outcome.error : '', /not sent: delivery aborted/);
    assert.equal(received.length, 0);
  });
});

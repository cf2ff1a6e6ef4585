import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  compileReceiver,
  sampleAlert,
  sampleNotification,
  T0,
} from '../../../test/helpers/alert-notifications.js';
import { type RecordingReceiver, startRecordingReceiver } from '../../../test/helpers/recording-receiver.js';
import { createManualClock } from '../../internal/clock.js';
import { silentLogger } from '../../internal/logger.js';
import { createNotifier } from './create-notifier.js';

const NOW = T0 + 12 * 60_000 + 250;

/** A Slack block as the tests read it. */
interface Block {
  type: string;
  text: { type: string; text: string; emoji?: boolean };
}

/** A Feishu request body as the tests read it. */
interface FeishuBody {
  msg_type: string;
  timestamp?: string;
  sign?: string;
  card: {
    header: { title: { tag: string; content: string }; template: string };
    elements: Array<{ tag: string; actions?: Array<{ text: { content: string }; url: string }> }>;
  };
}
const never = new AbortController().signal;

// The vendors' robots, played by a real HTTP receiver: each test checks the request against the
// vendor's documented format, computing signatures here on their own, and answers as the vendor does.
describe('chat robot notifiers', () => {
  let robot: RecordingReceiver;
  const clock = createManualClock(NOW);
  const deps = { clock, logger: silentLogger };

  before(async () => {
    robot = await startRecordingReceiver();
  });
  after(() => robot.close());
  beforeEach(() => {
    clock.set(NOW);
    robot.requests.length = 0;
    robot.reply = () => ({ status: 200, body: 'ok' });
  });

  const last = () => {
    const req = robot.requests.at(-1);
    assert.ok(req, 'the robot got a request');
    return req;
  };

  describe('Slack', () => {
    it('posts text and blocks to the incoming webhook', async () => {
      const slack = createNotifier(
        compileReceiver({ channel: 'slack', url: `${robot.url}/services/T0/B0/x` }),
        deps,
      );
      assert.deepEqual(await slack.send(sampleNotification(), never), { ok: true, status: 200 });
      const req = last();
      assert.equal(req.path, '/services/T0/B0/x');
      const body = req.json() as { text: string; blocks: Block[] };
      assert.equal(
        body.text,
        '[P0] FIRING: draws: 14 partitions missing (3021–3034) — gapwarden raised 1 alert (dataset=draws).',
      );
      assert.deepEqual(
        body.blocks.map((b) => b.type),
        ['header', 'section', 'divider', 'section', 'section', 'context'],
      );
      assert.deepEqual(body.blocks[0], {
        type: 'header',
        text: {
          type: 'plain_text',
          text: '[P0] FIRING: draws: 14 partitions missing (3021–3034)',
          emoji: true,
        },
      });
      assert.equal(body.blocks[3]?.text.type, 'mrkdwn');
      assert.match(
        body.blocks[3]?.text.text,
        /^\*\[P0\] draws: 14 partitions missing \(3021–3034\)\*\n• Rule: gap-large/,
      );
      assert.match(body.blocks[3]?.text.text, /<http:\/\/127\.0\.0\.1:7070\/alerts\/12\|View alert #12>$/);
      assert.equal(body.blocks[4]?.text.text, '<http://127.0.0.1:7070/alerts|Open the alerts page>');
    });

    it('keeps within Block Kit limits: a header of 150 characters, a section of 3000', async () => {
      const slack = createNotifier(compileReceiver({ channel: 'slack', url: robot.url }), deps);
      const long = sampleAlert({ summary: 'x'.repeat(400), tried: 'y'.repeat(5000) });
      await slack.send(sampleNotification({ alerts: [long] }), never);
      const body = last().json() as { blocks: Block[] };
      assert.equal(body.blocks[0]?.text.text.length, 150);
      assert.ok(body.blocks.every((b) => b.type !== 'section' || b.text.text.length <= 3000));
    });

    it('maps Slack’s refusals: 404 no_service is final, 429 waits for Retry-After', async () => {
      const slack = createNotifier(compileReceiver({ channel: 'slack', url: robot.url }), deps);
      robot.reply = () => ({ status: 404, body: 'no_service' });
      const gone = await slack.send(sampleNotification(), never);
      assert.deepEqual(gone, {
        ok: false,
        retryable: false,
        status: 404,
        error: `slack receiver "ops": POST ${robot.url} answered HTTP 404: no_service`,
      });
      robot.reply = () => ({ status: 429, body: 'rate_limited', headers: { 'retry-after': '30' } });
      const limited = await slack.send(sampleNotification(), never);
      assert.equal(!limited.ok && limited.retryable, true);
      assert.equal(!limited.ok && limited.retryAfterMs, 30_000);
    });
  });

  describe('DingTalk', () => {
    const secret = 'SECd0a1b2c3d4e5f6';
    const dingtalk = (over: Record<string, unknown> = {}) =>
      createNotifier(
        compileReceiver({ channel: 'dingtalk', url: `${robot.url}/robot/send?access_token=tok123`, ...over }),
        deps,
      );

    it('posts a markdown message signed with timestamp and sign in the query', async () => {
      robot.reply = () => ({ body: '{"errcode":0,"errmsg":"ok"}' });
      const outcome = await dingtalk({ secret, atMobiles: ['13800000000'] }).send(
        sampleNotification(),
        never,
      );
      assert.deepEqual(outcome, { ok: true, status: 200 });
      const req = last();
      assert.equal(req.path, '/robot/send');
      assert.equal(req.query.get('access_token'), 'tok123');
      // DingTalk's scheme: Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), URL-encoded, ms timestamp.
      assert.equal(req.query.get('timestamp'), String(NOW));
      const expected = createHmac('sha256', secret).update(`${NOW}\n${secret}`).digest('base64');
      assert.equal(req.query.get('sign'), expected);
      const raw = /[?&]sign=([^&]*)/.exec(`?${req.query.toString()}`)?.[1];
      assert.equal(raw, encodeURIComponent(expected), 'sign is URL-encoded');
      const body = req.json() as { msgtype: string; markdown: { title: string; text: string }; at: unknown };
      assert.equal(body.msgtype, 'markdown');
      assert.equal(body.markdown.title, '[P0] FIRING: draws: 14 partitions missing (3021–3034)');
      assert.match(
        body.markdown.text,
        /^### \\\[P0\\\] FIRING: draws: 14 partitions missing \(3021–3034\)\n\n/,
      );
      assert.match(body.markdown.text, /\n- Since: 2024-05-01 02:00:00 UTC \(for 12m\)\n/);
      assert.match(body.markdown.text, /\[Open the alerts page\]\(http:\/\/127\.0\.0\.1:7070\/alerts\)/);
      assert.match(body.markdown.text, /@13800000000$/, 'a mention is named in the text too');
      assert.deepEqual(body.at, { atMobiles: ['13800000000'], isAtAll: false });
    });

    it('sends no signature without a secret', async () => {
      robot.reply = () => ({ body: '{"errcode":0,"errmsg":"ok"}' });
      await dingtalk().send(sampleNotification(), never);
      assert.deepEqual([...last().query.keys()], ['access_token']);
    });

    it('fails on a non-zero errcode in a 200: a refusal is final, "too fast" waits a minute', async () => {
      robot.reply = () => ({ body: '{"errcode":310000,"errmsg":"sign not match"}' });
      assert.deepEqual(await dingtalk({ secret }).send(sampleNotification(), never), {
        ok: false,
        retryable: false,
        status: 200,
        error: 'dingtalk receiver "ops": DingTalk refused it: code 310000 sign not match',
      });
      robot.reply = () => ({
        body: '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}',
      });
      const fast = await dingtalk().send(sampleNotification(), never);
      assert.equal(!fast.ok && fast.retryable, true);
      assert.equal(!fast.ok && fast.retryAfterMs, 60_000);
      robot.reply = () => ({ body: '<html>proxy</html>' });
      const odd = await dingtalk().send(sampleNotification(), never);
      assert.equal(!odd.ok && odd.retryable, true);
      assert.match(!odd.ok ? odd.error : '', /not a DingTalk answer: <html>proxy<\/html>/);
    });

    it('never shows the access token or the secret in an error', async () => {
      robot.reply = (req) => ({ status: 400, body: `bad ${req.query.toString()}` });
      const outcome = await dingtalk({ secret }).send(sampleNotification(), never);
      const error = !outcome.ok ? outcome.error : '';
      assert.match(error, /answered HTTP 400/);
      assert.ok(!error.includes('tok123') && !error.includes(secret), error);
    });
  });

  describe('WeCom', () => {
    const wecom = () =>
      createNotifier(
        compileReceiver({ channel: 'wecom', url: `${robot.url}/cgi-bin/webhook/send?key=k-123` }),
        deps,
      );

    it('posts a markdown message, within 4096 bytes of UTF-8', async () => {
      robot.reply = () => ({ body: '{"errcode":0,"errmsg":"ok"}' });
      assert.deepEqual(await wecom().send(sampleNotification({ language: 'zh-CN' }), never), {
        ok: true,
        status: 200,
      });
      const req = last();
      assert.equal(req.query.get('key'), 'k-123');
      const body = req.json() as { msgtype: string; markdown: { content: string } };
      assert.equal(body.msgtype, 'markdown');
      assert.match(body.markdown.content, /^### \\\[P0\\\] 告警：draws/);
      assert.match(body.markdown.content, /- 已尝试：backfill: 3 attempts per partition/);

      const many = Array.from({ length: 10 }, (_, i) => sampleAlert({ id: i, tried: '重试'.repeat(200) }));
      await wecom().send(sampleNotification({ alerts: many, language: 'zh-CN' }), never);
      const content = (last().json() as { markdown: { content: string } }).markdown.content;
      assert.ok(Buffer.byteLength(content) <= 4096, `${Buffer.byteLength(content)} bytes`);
      assert.ok(content.endsWith('…'));
    });

    it('fails on a non-zero errcode: 93000 is final, 45009 waits a minute', async () => {
      robot.reply = () => ({ body: '{"errcode":93000,"errmsg":"invalid webhook url"}' });
      const bad = await wecom().send(sampleNotification(), never);
      assert.equal(!bad.ok && bad.retryable, false);
      assert.match(!bad.ok ? bad.error : '', /WeCom refused it: code 93000 invalid webhook url/);
      robot.reply = () => ({ body: '{"errcode":45009,"errmsg":"api freq out of limit"}' });
      const limited = await wecom().send(sampleNotification(), never);
      assert.equal(!limited.ok && limited.retryAfterMs, 60_000);
    });
  });

  describe('Feishu', () => {
    const secret = 'feishu-secret-xyz';
    const feishu = (over: Record<string, unknown> = {}) =>
      createNotifier(
        compileReceiver({
          channel: 'feishu',
          url: `${robot.url}/open-apis/bot/v2/hook/hook-token-1`,
          ...over,
        }),
        deps,
      );

    it('posts an interactive card with timestamp and sign in the body', async () => {
      robot.reply = () => ({ body: '{"code":0,"msg":"success","data":{}}' });
      const outcome = await feishu({ secret, language: 'zh-CN' }).send(sampleNotification(), never);
      assert.deepEqual(outcome, { ok: true, status: 200 });
      const body = last().json() as FeishuBody;
      // Feishu's scheme: Base64(HMAC-SHA256 keyed with timestamp + "\n" + secret, over nothing), seconds.
      const timestamp = Math.floor(NOW / 1000);
      assert.equal(body.timestamp, String(timestamp));
      assert.equal(
        body.sign,
        createHmac('sha256', `${timestamp}\n${secret}`).update(Buffer.alloc(0)).digest('base64'),
      );
      assert.equal(body.msg_type, 'interactive');
      assert.deepEqual(body.card.header, {
        title: { tag: 'plain_text', content: '[P0] 告警：draws: 14 partitions missing (3021–3034)' },
        template: 'red',
      });
      const texts = JSON.stringify(body.card.elements);
      assert.match(texts, /"content":"开始时间：2024-05-01 02:00:00 UTC（已持续 12分钟）"/);
      const buttons = body.card.elements.filter((e) => e.tag === 'action');
      assert.deepEqual(
        buttons.map((b) => [b.actions?.[0]?.text.content, b.actions?.[0]?.url]),
        [
          ['查看告警 #12', 'http://127.0.0.1:7070/alerts/12'],
          ['打开告警页面', 'http://127.0.0.1:7070/alerts'],
        ],
      );
      assert.ok(!texts.includes('lark_md'), 'outside text is never read as card Markdown');
    });

    it('colours a resolved card green and sends no signature without a secret', async () => {
      robot.reply = () => ({ body: '{"StatusCode":0,"StatusMessage":"success"}' });
      const resolved = sampleNotification({
        kind: 'resolved',
        alerts: [sampleAlert({ state: 'resolved', endsAt: T0 + 3_600_000 })],
      });
      assert.equal((await feishu().send(resolved, never)).ok, true, 'the older answer shape is understood');
      const body = last().json() as FeishuBody;
      assert.equal(body.card.header.template, 'green');
      assert.equal(body.sign, undefined);
      assert.equal(body.timestamp, undefined);
    });

    it('fails on a non-zero code: a failed signature is final, a rate limit waits', async () => {
      robot.reply = () => ({
        body: '{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}',
      });
      const bad = await feishu({ secret }).send(sampleNotification(), never);
      assert.deepEqual(bad, {
        ok: false,
        retryable: false,
        status: 200,
        error:
          'feishu receiver "ops": Feishu refused it: code 19021 sign match fail or timestamp is not within one hour',
      });
      robot.reply = () => ({ body: '{"code":11232,"msg":"frequency limited"}' });
      const limited = await feishu().send(sampleNotification(), never);
      assert.equal(!limited.ok && limited.retryable, true);
      robot.reply = () => ({ status: 400, body: '{"code":9499,"msg":"Bad Request hook-token-1"}' });
      const rejected = await feishu().send(sampleNotification(), never);
      assert.equal(!rejected.ok && rejected.retryable, false);
      assert.ok(
        !(!rejected.ok ? rejected.error : '').includes('hook-token-1'),
        'the token in the URL is masked',
      );
    });
  });
});

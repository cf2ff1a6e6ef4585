import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, type ConfigIssue } from '../internal/errors.js';
import { createRedactor } from '../internal/redactor.js';
import { compileConfig } from './compile-config.js';

const datasets = { draws: { partition: { sequence: {} } } };

function compile(receivers: Record<string, unknown>, env: Record<string, string> = {}) {
  return compileConfig({ datasets, alerts: { receivers } }, { baseDir: '/srv', env });
}

function issues(receivers: Record<string, unknown>, env: Record<string, string> = {}, extra = {}) {
  try {
    compileConfig({ datasets, ...extra, alerts: { receivers } }, { baseDir: '/srv', env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err.issues;
  }
  assert.fail('expected the config to be rejected');
}

const at = (list: readonly ConfigIssue[], path: string) => {
  const found = list.find((i) => i.path === path);
  assert.ok(found, `no issue at ${path}; issues: ${JSON.stringify(list)}`);
  return found;
};

describe('alerts.receivers', () => {
  it('compiles every channel with its defaults applied', () => {
    const c = compile({
      hook: { channel: 'webhook', url: 'https://hooks.example.com/gapwarden', secret: 's3cret-value' },
      chat: { channel: 'slack', url: 'https://hooks.slack.com/services/T0/B0/x', language: 'en' },
      ding: { channel: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=abc' },
      wecom: { channel: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' },
      lark: { channel: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/t', language: 'zh-CN' },
      mail: {
        channel: 'email',
        smtp: { host: 'smtp.example.com' },
        from: 'gapwarden <alerts@example.com>',
        to: 'ops@example.com',
        timezone: 'Asia/Shanghai',
      },
      tls: {
        channel: 'email',
        smtp: { host: 'smtp.example.com', secure: true, auth: { user: 'u', pass: 'p4ss' } },
        from: 'alerts@example.com',
        to: ['a@example.com', 'b@example.com'],
        cc: 'c@example.com',
      },
      am: { channel: 'alertmanager', url: 'http://alertmanager:9093/api/v2/alerts/', timeout: '3s' },
      logs: { channel: 'log' },
    });
    const r = Object.fromEntries(c.alerts.receivers.map((x) => [x.name, x]));
    assert.deepEqual(
      c.alerts.receivers.map((x) => [x.name, x.channel]),
      [
        ['hook', 'webhook'],
        ['chat', 'slack'],
        ['ding', 'dingtalk'],
        ['wecom', 'wecom'],
        ['lark', 'feishu'],
        ['mail', 'email'],
        ['tls', 'email'],
        ['am', 'alertmanager'],
        ['logs', 'log'],
      ],
    );
    assert.deepEqual(r.hook, {
      name: 'hook',
      channel: 'webhook',
      url: 'https://hooks.example.com/gapwarden',
      secret: 's3cret-value',
      headers: {},
      language: undefined,
      timezone: 'UTC',
      timeoutMs: 10_000,
    });
    assert.equal(r.lark?.language, 'zh-CN');
    assert.deepEqual(r.ding?.channel === 'dingtalk' && [r.ding.atMobiles, r.ding.atAll, r.ding.secret], [
      [],
      false,
      undefined,
    ]);
    const mail = r.mail?.channel === 'email' ? r.mail : assert.fail('mail is an email receiver');
    assert.deepEqual(mail.smtp, {
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      requireTLS: false,
      rejectUnauthorized: true,
      auth: undefined,
    });
    assert.deepEqual([mail.to, mail.cc, mail.timezone], [['ops@example.com'], [], 'Asia/Shanghai']);
    const tls = r.tls?.channel === 'email' ? r.tls : assert.fail('tls is an email receiver');
    assert.deepEqual(
      [tls.smtp.port, tls.to, tls.cc],
      [465, ['a@example.com', 'b@example.com'], ['c@example.com']],
    );
    const am = r.am?.channel === 'alertmanager' ? r.am : assert.fail('am is an alertmanager receiver');
    assert.deepEqual([am.url, am.timeoutMs, am.endsAfterMs], ['http://alertmanager:9093', 3000, 86_400_000]);
  });

  it('accepts a config without alerts', () => {
    assert.deepEqual(compileConfig({ datasets }, { baseDir: '/srv', env: {} }).alerts.receivers, []);
  });

  it('refuses an unknown channel, naming the field and the channels there are', () => {
    const list = issues({ pager: { channel: 'pagerduty', url: 'https://example.com' } });
    const issue = at(list, 'alerts.receivers.pager.channel');
    assert.match(issue.message, /unknown channel/);
    assert.match(issue.expected, /"webhook".*"dingtalk".*"alertmanager".*"log"/);
    assert.equal(issue.found, '"pagerduty"');
    assert.equal(
      at(issues({ x: { url: 'https://example.com' } }), 'alerts.receivers.x.channel').found,
      'nothing',
    );
  });

  it('refuses a missing secret: an unset environment variable, an empty value, a password left out', () => {
    const unset = issues({
      ding: {
        channel: 'dingtalk',
        url: 'https://oapi.dingtalk.com/robot/send?access_token=abc',
        secret: '${env:DING_SECRET}',
      },
    });
    assert.match(at(unset, 'alerts.receivers.ding.secret').message, /DING_SECRET/);
    const empty = issues({ hook: { channel: 'webhook', url: 'https://example.com/h', secret: '' } });
    assert.match(at(empty, 'alerts.receivers.hook.secret').message, /non-empty secret/);
    const noPass = issues({
      mail: { channel: 'email', smtp: { host: 'h', auth: { user: 'u' } }, from: 'a@b.c', to: 'd@e.f' },
    });
    assert.equal(at(noPass, 'alerts.receivers.mail.smtp.auth.pass').message, 'required field is missing');
  });

  it('refuses a bad URL without quoting it (it may carry a token)', () => {
    const list = issues({
      a: { channel: 'slack', url: 'hooks.slack.com/services/T0/B0/TOKEN-ONE' },
      b: { channel: 'webhook', url: 'ftp://example.com/TOKEN-TWO' },
      c: { channel: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?token=TOKEN-THREE' },
      d: { channel: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' },
      e: { channel: 'alertmanager', url: 'not a url' },
    });
    assert.equal(at(list, 'alerts.receivers.a.url').found, 'a value that is not a URL');
    assert.equal(at(list, 'alerts.receivers.b.url').found, 'a ftp:// URL');
    assert.equal(at(list, 'alerts.receivers.c.url').found, 'a URL without access_token');
    assert.match(at(list, 'alerts.receivers.c.url').expected, /access_token=/);
    assert.equal(at(list, 'alerts.receivers.d.url').found, 'a URL without key');
    assert.equal(at(list, 'alerts.receivers.e.url').found, 'a value that is not a URL');
    assert.doesNotMatch(JSON.stringify(list), /TOKEN-/);
  });

  it('names an unknown field, a bad address, a bad time zone and a bad receiver name', () => {
    const list = issues({
      hook: { channel: 'webhook', url: 'https://example.com/h', sceret: 'x' },
      mail: { channel: 'email', smtp: { host: 'h' }, from: 'nobody', to: [] },
      zone: { channel: 'log', timezone: 'Asia/Shangai' },
      'bad name': { channel: 'log' },
    });
    assert.match(at(list, 'alerts.receivers.hook').message, /unknown field sceret/);
    assert.match(at(list, 'alerts.receivers.mail.from').message, /e-mail address/);
    at(list, 'alerts.receivers.mail.to');
    assert.match(at(list, 'alerts.receivers.bad name').message, /not allowed/);
    assert.match(at(list, 'alerts.receivers.zone.timezone').message, /unknown time zone "Asia\/Shangai"/);
  });

  it('reports a bad receiver in the same round as a bad dataset', () => {
    const list = issues(
      { hook: { channel: 'webhook', url: 'nope' } },
      {},
      {
        datasets: { daily: { partition: { calendar: { every: '1d', timezone: 'Mars/Olympus' } } } },
      },
    );
    at(list, 'alerts.receivers.hook.url');
    at(list, 'datasets.daily.partition');
  });

  it('reports every bad receiver in one round, whether the schema or the compiler finds it', () => {
    const list = issues({
      pager: { channel: 'pagerduty' },
      ding: {
        channel: 'dingtalk',
        url: 'https://oapi.dingtalk.com/robot/send?access_token=abc',
        secret: '${env:DING_SECRET}',
      },
      hook: { channel: 'webhook', url: 'nope' },
      zone: { channel: 'log', timezone: 'Mars/Olympus' },
    });
    assert.deepEqual(list.map((i) => i.path).sort(), [
      'alerts.receivers.ding.secret',
      'alerts.receivers.hook.url',
      'alerts.receivers.pager.channel',
      'alerts.receivers.zone.timezone',
    ]);
  });

  it('treats secrets and URLs from the environment as secrets, host and addresses as settings', () => {
    const c = compile(
      {
        hook: { channel: 'webhook', url: '${env:HOOK_URL}', secret: '${env:HOOK_SECRET}' },
        mail: {
          channel: 'email',
          smtp: { host: '${env:SMTP_HOST}', auth: { user: 'alerts', pass: '${env:SMTP_PASS}' } },
          from: '${env:MAIL_FROM}',
          to: ['${env:MAIL_TO}'],
        },
      },
      {
        HOOK_URL: 'https://hooks.example.com/h/abc123',
        HOOK_SECRET: 'whsec-0123456789',
        SMTP_HOST: 'smtp.example.com',
        SMTP_PASS: 'mail-password',
        MAIL_FROM: 'alerts@example.com',
        MAIL_TO: 'ops@example.com',
      },
    );
    const redact = createRedactor(c.secrets);
    assert.equal(redact('https://hooks.example.com/h/abc123 whsec-0123456789 mail-password'), '*** *** ***');
    assert.equal(
      redact('smtp.example.com alerts@example.com ops@example.com'),
      'smtp.example.com alerts@example.com ops@example.com',
    );
  });
});

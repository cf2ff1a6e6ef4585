import { z } from 'zod';

/** The channels gapwarden delivers alert notifications through. */
export const CHANNEL_KINDS = [
  'webhook',
  'slack',
  'dingtalk',
  'wecom',
  'feishu',
  'email',
  'alertmanager',
  'log',
] as const;

/** One of {@link CHANNEL_KINDS}. */
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** The languages the message templates are written in. */
export const ALERT_LANGUAGES = ['en', 'zh-CN'] as const;

/** One of {@link ALERT_LANGUAGES}. */
export type AlertLanguage = (typeof ALERT_LANGUAGES)[number];

const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration such as "500ms", "10s" or "1m"'),
]);

// Checked again when compiled (a URL, its scheme, the vendor's token in it); here only its presence,
// so a schema issue never quotes a URL that may carry a token.
const url = z.string().min(1, 'a URL');

const secret = z
  .string()
  .min(1, 'a non-empty secret, e.g. "${env:ALERT_SECRET}" (the value set in the environment)');

/** Header names are HTTP tokens; values are sent as they are (e.g. an `Authorization` from the environment). */
const headers = z.record(
  z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name (letters, digits, - and _)'),
  z.string(),
);

const address = z.string().regex(/@/, 'an e-mail address such as ops@example.com or "Ops <ops@example.com>"');

/** What every receiver may set. */
const common = {
  /** The language of this receiver's messages. @default `alerts.language`, else 'en' */
  language: z.enum(ALERT_LANGUAGES).optional(),
  /** The IANA time zone the messages write times in, e.g. 'Asia/Shanghai'. @default 'UTC' */
  timezone: z.string().min(1).optional(),
  /** Longest time one delivery attempt may take; a slower one counts as failed and is retried. @default '10s' */
  timeout: duration.optional(),
};

const webhookSchema = z.strictObject({
  channel: z.literal('webhook'),
  /** Where the JSON body is POSTed. */
  url,
  /** Signs each request (`X-Gapwarden-Signature`, see docs/alerts.md); without one, requests are unsigned. */
  secret: secret.optional(),
  /** Extra request headers, e.g. `Authorization`. @default {} */
  headers: headers.optional(),
  ...common,
});

const slackSchema = z.strictObject({
  channel: z.literal('slack'),
  /** The incoming webhook's URL (https://hooks.slack.com/services/...): a secret, set it from the environment. */
  url,
  ...common,
});

const dingtalkSchema = z.strictObject({
  channel: z.literal('dingtalk'),
  /** The robot's webhook URL, with its `access_token`. */
  url,
  /** The robot's signing secret (加签, `SEC...`), when its security setting signs requests. */
  secret: secret.optional(),
  /** Mobile numbers @-mentioned in each message. @default [] */
  atMobiles: z.array(z.string().min(1)).optional(),
  /** @-mention everyone in the group. @default false */
  atAll: z.boolean().optional(),
  ...common,
});

const wecomSchema = z.strictObject({
  channel: z.literal('wecom'),
  /** The group robot's webhook URL, with its `key`. */
  url,
  ...common,
});

const feishuSchema = z.strictObject({
  channel: z.literal('feishu'),
  /** The custom bot's webhook URL (https://open.feishu.cn/open-apis/bot/v2/hook/...). */
  url,
  /** The bot's signing secret (签名校验), when its security setting checks signatures. */
  secret: secret.optional(),
  ...common,
});

const smtpSchema = z.strictObject({
  host: z.string().min(1),
  /** @default 465 with `secure`, else 587 */
  port: z.number().int().min(1).max(65535).optional(),
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. @default false */
  secure: z.boolean().optional(),
  /** Refuse to send unless the connection is upgraded with STARTTLS. @default false */
  requireTLS: z.boolean().optional(),
  /** Check the server's TLS certificate; turn off only for a relay with a self-signed one. @default true */
  rejectUnauthorized: z.boolean().optional(),
  auth: z.strictObject({ user: z.string().min(1), pass: secret }).optional(),
});

const emailSchema = z.strictObject({
  channel: z.literal('email'),
  smtp: smtpSchema,
  /** The sender, e.g. 'gapwarden <alerts@example.com>'. */
  from: address,
  /** One address or several. */
  to: z.union([address, z.array(address).min(1)]),
  /** @default [] */
  cc: z.union([address, z.array(address)]).optional(),
  ...common,
});

const alertmanagerSchema = z.strictObject({
  channel: z.literal('alertmanager'),
  /** Alertmanager's base URL, e.g. http://alertmanager:9093; alerts are POSTed to `<url>/api/v2/alerts`. */
  url,
  /** Extra request headers, e.g. `Authorization` or a tenant header. @default {} */
  headers: headers.optional(),
  /**
   * How long Alertmanager keeps an open alert active without hearing of it again (its `endsAt`
   * is set this far ahead on each notification). Keep it above the repeat interval of the alerts
   * routed here, or Alertmanager resolves them in between. @default '24h'
   */
  endsAfter: duration.optional(),
  ...common,
});

const logSchema = z.strictObject({ channel: z.literal('log'), ...common });

const channelMessage = `one of ${CHANNEL_KINDS.map((c) => JSON.stringify(c)).join(', ')}`;

/** One receiver: a channel and where and how to deliver through it. */
export const alertReceiverSchema = z.discriminatedUnion(
  'channel',
  [
    webhookSchema,
    slackSchema,
    dingtalkSchema,
    wecomSchema,
    feishuSchema,
    emailSchema,
    alertmanagerSchema,
    logSchema,
  ],
  // zod's own message lists the options with ' | '; this one reads as the other config errors do.
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `unknown channel: expected ${channelMessage}` : undefined,
  },
);

/** A receiver's name: the name routes and `gapwarden alerts test <receiver>` use. */
export const receiverNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/i,
    'a name of letters, digits, _ or - (starting with a letter or digit, at most 63)',
  );

/** `alerts.receivers`: receivers by name. */
export const alertReceiversSchema = z.record(receiverNameSchema, alertReceiverSchema);

export type AlertReceiverConfig = z.input<typeof alertReceiverSchema>;

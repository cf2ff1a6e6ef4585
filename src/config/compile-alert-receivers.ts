import { parseDuration } from '../domain/duration.js';
import { assertTimeZone } from '../domain/time-zone.js';
import { type ConfigIssue, describeError } from '../internal/errors.js';
import type { AlertReceiverConfig } from './alert-receivers-schema.js';
import type { CompiledReceiver } from './compiled-receiver.js';

/** How long one delivery attempt may take, unless a receiver says otherwise. */
export const DEFAULT_RECEIVER_TIMEOUT_MS = 10_000;
/** How far ahead an open alert's `endsAt` is set at Alertmanager, unless configured. */
export const DEFAULT_ALERTMANAGER_ENDS_AFTER_MS = 24 * 3_600_000;

/**
 * Compiles `alerts.receivers` (already shape-checked by the schema) into
 * receivers with every default applied, checking what the schema cannot: each
 * URL is an http(s) URL carrying what its vendor needs (DingTalk's
 * `access_token`, WeCom's `key`), each time zone exists. Issues never quote a
 * URL: it may carry a token.
 */
export function compileAlertReceivers(
  receivers: Readonly<Record<string, AlertReceiverConfig>> | undefined,
  issues: ConfigIssue[],
): CompiledReceiver[] {
  const out: CompiledReceiver[] = [];
  for (const [name, r] of Object.entries(receivers ?? {})) {
    const at = `alerts.receivers.${name}`;
    const base = {
      name,
      language: r.language,
      timezone: compileZone(r.timezone, `${at}.timezone`, issues),
      timeoutMs: ms(r.timeout, DEFAULT_RECEIVER_TIMEOUT_MS),
    };
    switch (r.channel) {
      case 'webhook':
        out.push({
          ...base,
          channel: 'webhook',
          url: checkUrl(r.url, `${at}.url`, issues),
          secret: r.secret,
          headers: r.headers ?? {},
        });
        break;
      case 'slack':
        out.push({ ...base, channel: 'slack', url: checkUrl(r.url, `${at}.url`, issues) });
        break;
      case 'dingtalk':
        out.push({
          ...base,
          channel: 'dingtalk',
          url: checkUrl(r.url, `${at}.url`, issues, {
            param: 'access_token',
            example: 'https://oapi.dingtalk.com/robot/send?access_token=...',
          }),
          secret: r.secret,
          atMobiles: r.atMobiles ?? [],
          atAll: r.atAll ?? false,
        });
        break;
      case 'wecom':
        out.push({
          ...base,
          channel: 'wecom',
          url: checkUrl(r.url, `${at}.url`, issues, {
            param: 'key',
            example: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...',
          }),
        });
        break;
      case 'feishu':
        out.push({
          ...base,
          channel: 'feishu',
          url: checkUrl(r.url, `${at}.url`, issues),
          secret: r.secret,
        });
        break;
      case 'email': {
        const secure = r.smtp.secure ?? false;
        out.push({
          ...base,
          channel: 'email',
          smtp: {
            host: r.smtp.host,
            port: r.smtp.port ?? (secure ? 465 : 587),
            secure,
            requireTLS: r.smtp.requireTLS ?? false,
            rejectUnauthorized: r.smtp.rejectUnauthorized ?? true,
            auth: r.smtp.auth,
          },
          from: r.from,
          to: list(r.to),
          cc: list(r.cc),
        });
        break;
      }
      case 'alertmanager':
        out.push({
          ...base,
          channel: 'alertmanager',
          // The base URL; one written with the API path is accepted as the same.
          url: checkUrl(r.url, `${at}.url`, issues)
            .replace(/\/api\/v2\/alerts\/?$/, '')
            .replace(/\/+$/, ''),
          headers: r.headers ?? {},
          endsAfterMs: ms(r.endsAfter, DEFAULT_ALERTMANAGER_ENDS_AFTER_MS),
        });
        break;
      case 'log':
        out.push({ ...base, channel: 'log' });
        break;
    }
  }
  return out;
}

function list(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : [...v];
}

function ms(v: string | number | undefined, fallback: number): number {
  // The schema accepts only well-formed durations.
  return v === undefined ? fallback : (parseDuration(v) ?? fallback);
}

function compileZone(zone: string | undefined, path: string, issues: ConfigIssue[]): string {
  if (zone === undefined) return 'UTC';
  try {
    assertTimeZone(zone);
  } catch (err) {
    issues.push({
      path,
      expected: 'an IANA time zone',
      found: JSON.stringify(zone),
      message: describeError(err),
    });
  }
  return zone;
}

/**
 * Checks that `text` is an http(s) URL (with `need.param` in its query when
 * given) and returns it; an issue otherwise. The issue describes the value
 * without quoting it.
 */
function checkUrl(
  text: string,
  path: string,
  issues: ConfigIssue[],
  need?: { param: string; example: string },
): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {}
  const expected = need?.example ?? 'an http:// or https:// URL';
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    issues.push({
      path,
      expected,
      found: url ? `a ${url.protocol}// URL` : 'a value that is not a URL',
      message: 'not an http:// or https:// URL',
    });
  } else if (need && !url.searchParams.get(need.param)) {
    issues.push({
      path,
      expected,
      found: `a URL without ${need.param}`,
      message: `the robot's webhook URL carries its ${need.param}; copy the whole URL from the robot's settings`,
    });
  }
  return text;
}

import type { AlertLanguage } from './alert-receivers-schema.js';

/** What every compiled receiver carries, every default applied. */
interface ReceiverBase {
  /** Its name in `alerts.receivers`. */
  name: string;
  /** The language its messages are written in; undefined: the alerts' language. */
  language: AlertLanguage | undefined;
  /** The IANA zone times are written in. */
  timezone: string;
  /** Longest time one delivery attempt may take. */
  timeoutMs: number;
}

/** A generic webhook: JSON, signed with HMAC-SHA256 when a secret is set. */
export interface CompiledWebhookReceiver extends ReceiverBase {
  channel: 'webhook';
  /** Never logged or printed whole: it may carry a token. */
  url: string;
  secret: string | undefined;
  headers: Readonly<Record<string, string>>;
}

export interface CompiledSlackReceiver extends ReceiverBase {
  channel: 'slack';
  /** The incoming webhook's URL: the URL itself is the credential. */
  url: string;
}

export interface CompiledDingtalkReceiver extends ReceiverBase {
  channel: 'dingtalk';
  /** Carries the robot's `access_token`. */
  url: string;
  secret: string | undefined;
  atMobiles: readonly string[];
  atAll: boolean;
}

export interface CompiledWecomReceiver extends ReceiverBase {
  channel: 'wecom';
  /** Carries the robot's `key`. */
  url: string;
}

export interface CompiledFeishuReceiver extends ReceiverBase {
  channel: 'feishu';
  /** Its last path segment is the bot's token. */
  url: string;
  secret: string | undefined;
}

export interface CompiledEmailReceiver extends ReceiverBase {
  channel: 'email';
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    requireTLS: boolean;
    rejectUnauthorized: boolean;
    auth: { user: string; pass: string } | undefined;
  };
  from: string;
  to: readonly string[];
  cc: readonly string[];
}

export interface CompiledAlertmanagerReceiver extends ReceiverBase {
  channel: 'alertmanager';
  /** The base URL, without a trailing slash; alerts go to `<url>/api/v2/alerts`. */
  url: string;
  headers: Readonly<Record<string, string>>;
  /** How far ahead of each notification an open alert's `endsAt` is set. */
  endsAfterMs: number;
}

export interface CompiledLogReceiver extends ReceiverBase {
  channel: 'log';
}

/** One configured receiver, every default applied; `channel` tells which. */
export type CompiledReceiver =
  | CompiledWebhookReceiver
  | CompiledSlackReceiver
  | CompiledDingtalkReceiver
  | CompiledWecomReceiver
  | CompiledFeishuReceiver
  | CompiledEmailReceiver
  | CompiledAlertmanagerReceiver
  | CompiledLogReceiver;

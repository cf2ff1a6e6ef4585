import type { CompiledReceiver } from '../../config/compiled-receiver.js';
import type { Clock } from '../../internal/clock.js';
import type { Logger } from '../../internal/logger.js';
import { createRedactor, noRedaction, type Redact } from '../../internal/redactor.js';
import type { AlertLanguage } from '../notifier.js';

/** What a notifier needs besides its receiver's settings. */
export interface NotifierDeps {
  /** Signature timestamps and Alertmanager's `endsAt` are read from it. */
  clock: Clock;
  /** The log channel writes here; other channels log nothing themselves (the outbox records attempts). */
  logger: Logger;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The config's redactor (every secret of the config); the notifier adds its receiver's own secrets. */
  redact?: Redact;
}

/**
 * A redactor for one receiver's errors: the config's secrets plus the
 * receiver's own (its signing secret, its URL with the token in it, header
 * values, the SMTP password), so an error never shows one even when the
 * config wrote it in the file rather than taking it from the environment.
 */
export function receiverRedactor(receiver: CompiledReceiver, base: Redact = noRedaction): Redact {
  const values: string[] = [];
  if ('url' in receiver) values.push(...urlSecrets(receiver.url));
  if ('secret' in receiver && receiver.secret) values.push(receiver.secret);
  if ('headers' in receiver) values.push(...Object.values(receiver.headers));
  if (receiver.channel === 'email' && receiver.smtp.auth) values.push(receiver.smtp.auth.pass);
  const own = createRedactor(values);
  return (text) => own(base(text));
}

/**
 * The parts of a URL that may be a credential: the URL itself when it has
 * more than an origin, its password, query values and long path segments.
 */
function urlSecrets(text: string): string[] {
  try {
    const url = new URL(text);
    return [
      url.href === `${url.origin}/` ? '' : text,
      url.password,
      ...url.searchParams.values(),
      // Slack's and Feishu's tokens are path segments; short ones (`api`, `v2`) are left alone by the redactor.
      ...url.pathname.split('/').filter((s) => s.length >= 12),
    ].filter((v) => v !== '');
  } catch {
    return [];
  }
}

/** The language a receiver's messages are written in: its own, else the notification's. */
export function languageOf(receiver: CompiledReceiver, notificationLanguage: AlertLanguage): AlertLanguage {
  return receiver.language ?? notificationLanguage;
}

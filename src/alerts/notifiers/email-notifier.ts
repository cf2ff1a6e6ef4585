import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { CompiledEmailReceiver } from '../../config/compiled-receiver.js';
import { describeError } from '../../internal/errors.js';
import type { AlertNotification, DeliveryOutcome, Notifier } from '../notifier.js';
import { composeMessage } from '../templates/alert-message.js';
import { toHtml, toPlainText } from '../templates/message-formats.js';
import { languageOf, type NotifierDeps, receiverRedactor } from './notifier-deps.js';

/** Errors of nodemailer that sending the same message again will not fix. */
const PERMANENT = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'EENVELOPE', 'EMESSAGE']);

/**
 * What one mail looks like: subject, plain text and HTML, and headers that
 * let a mail client drop duplicates (`Message-ID` from the idempotency key,
 * the same on every retry) and thread the notifications of one alert group
 * (`References`).
 */
export function emailMessage(n: AlertNotification, receiver: CompiledEmailReceiver) {
  const message = composeMessage(n, {
    language: languageOf(receiver, n.language),
    timezone: receiver.timezone,
  });
  const domain = /@([^>\s]+)/.exec(receiver.from)?.[1] ?? 'gapwarden.invalid';
  const id = (text: string) => `<${createHash('sha256').update(text).digest('hex').slice(0, 32)}@${domain}>`;
  return {
    from: receiver.from,
    to: [...receiver.to],
    cc: [...receiver.cc],
    subject: message.title,
    text: toPlainText(message),
    html: toHtml(message),
    messageId: id(n.idempotencyKey),
    references: id(`group:${n.group.key}`),
    headers: { 'X-Gapwarden-Idempotency-Key': n.idempotencyKey, 'X-Gapwarden-Event': n.kind },
  };
}

/**
 * E-mail over SMTP with nodemailer, on a pool of connections closed by
 * `close()`. A 4xx SMTP answer and a lost or refused connection are retried;
 * a 5xx answer (a refused login, a refused recipient) is not. A send that
 * takes longer than the timeout, or is aborted, is reported at once as
 * retryable and left to finish or fail on its connection (the pool's socket
 * timeout, the same duration, ends a connection that went quiet; closing the
 * pool would fail the other mails on it): it may still reach the server, so a
 * retry can deliver it twice, with the same Message-ID.
 */
export function createEmailNotifier(receiver: CompiledEmailReceiver, deps: NotifierDeps): Notifier {
  const redact = receiverRedactor(receiver, deps.redact);
  const what = `email receiver "${receiver.name}": SMTP ${receiver.smtp.host}:${receiver.smtp.port}`;
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 2,
    host: receiver.smtp.host,
    port: receiver.smtp.port,
    secure: receiver.smtp.secure,
    requireTLS: receiver.smtp.requireTLS,
    tls: { rejectUnauthorized: receiver.smtp.rejectUnauthorized },
    ...(receiver.smtp.auth ? { auth: { user: receiver.smtp.auth.user, pass: receiver.smtp.auth.pass } } : {}),
    connectionTimeout: receiver.timeoutMs,
    greetingTimeout: receiver.timeoutMs,
    socketTimeout: receiver.timeoutMs,
  } satisfies SMTPPool.Options);
  const fail = (retryable: boolean, error: string, status?: number): DeliveryOutcome => ({
    ok: false,
    retryable,
    error: redact(error),
    ...(status === undefined ? {} : { status }),
  });
  return {
    receiver: receiver.name,
    channel: 'email',
    async send(n, signal) {
      if (signal.aborted) return fail(true, `${what}: not sent: delivery aborted`);
      const sending = transport.sendMail(emailMessage(n, receiver));
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const stopped = new Promise<'timeout' | 'aborted'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), receiver.timeoutMs);
        onAbort = () => resolve('aborted');
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        const result = await Promise.race([sending, stopped]);
        if (result === 'timeout' || result === 'aborted') {
          sending.catch(() => {});
          return result === 'timeout'
            ? fail(true, `${what}: timed out after ${receiver.timeoutMs} ms`)
            : fail(true, `${what}: aborted (the server may have got it)`);
        }
        const refused = result.rejected;
        return {
          ok: true,
          detail: refused.length > 0 ? `refused by the server: ${refused.join(', ')}` : result.response,
        };
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        const status = (err as { responseCode?: unknown }).responseCode;
        const smtp = typeof status === 'number' ? status : undefined;
        const retryable =
          smtp !== undefined
            ? smtp >= 400 && smtp <= 499
            : !(typeof code === 'string' && PERMANENT.has(code));
        return fail(retryable, `${what}: ${describeError(err)}`, smtp);
      } finally {
        clearTimeout(timer);
        if (onAbort) signal.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      transport.close();
    },
  };
}

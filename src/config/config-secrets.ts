import type { ConfigIssue } from '../internal/errors.js';
import { createRedactor, SecretValues } from '../internal/redactor.js';
import type { EnvValue } from './env-refs.js';

/**
 * Fields that hold settings, never credentials: a value these take from the
 * environment is not masked (masking a host name or `info` would garble every
 * log line that mentions it). Every other value from `${env:...}` is a secret.
 */
const NOT_SECRET = [
  /^server\.host$/,
  /^server\.allowedHosts\[\d+\]$/,
  /^server\.bodyLimit$/,
  /^log\.level$/,
  /^store\.sqlite$/,
  /^store\.schema$/,
  /^alerts\.receivers\.[^.]+\.(language|timezone|timeout|endsAfter|from|smtp\.host)$/,
  /^alerts\.receivers\.[^.]+\.(to|cc)(\[\d+\])?$/,
];

/**
 * The values of a configuration that must never be shown: every value taken
 * from an environment reference (outside the few setting fields above), plus
 * the password inside one that is a URL, since a driver may quote it alone.
 */
export function configSecrets(fromEnv: readonly EnvValue[]): SecretValues {
  const values: string[] = [];
  for (const { path, value } of fromEnv) {
    if (NOT_SECRET.some((p) => p.test(path))) continue;
    values.push(value);
    const password = urlPassword(value);
    if (password) values.push(password, decodeURIComponentSafe(password));
  }
  return new SecretValues(values);
}

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    return new URL(value).password || undefined;
  } catch {
    return undefined;
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `issues` with secrets masked: an issue may quote the value it found. */
export function redactIssues(issues: readonly ConfigIssue[], secrets: SecretValues): ConfigIssue[] {
  const redact = createRedactor(secrets);
  return issues.map((i) => ({
    path: i.path,
    expected: redact(i.expected),
    found: redact(i.found),
    message: redact(i.message),
  }));
}

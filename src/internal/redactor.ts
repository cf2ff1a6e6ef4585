/** Replaces every secret in a text with `***`. */
export type Redact = (text: string) => string;

/** What a secret is replaced with. */
export const MASK = '***';

/**
 * Values shorter than this are not treated as secrets: masking `1` or `on`
 * would rewrite digits and words in unrelated text everywhere, and a value
 * that short protects nothing anyway.
 */
export const MIN_SECRET_LENGTH = 4;

/** The redactor that changes nothing (no secrets configured). */
export const noRedaction: Redact = (text) => text;

/**
 * The secret values of a configuration, held so that printing or serialising
 * the compiled config never shows them (`JSON.stringify` and `console.log`
 * print a count only).
 */
export class SecretValues {
  readonly #values: readonly string[];

  constructor(values: Iterable<string>) {
    this.#values = [...new Set(values)].filter((v) => v.length >= MIN_SECRET_LENGTH);
  }

  /** The values themselves; only for building a redactor. */
  values(): readonly string[] {
    return this.#values;
  }

  get size(): number {
    return this.#values.length;
  }

  toJSON(): string {
    return `[${this.#values.length} secret values]`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toJSON();
  }
}

/**
 * A redactor for `secrets`: each value is replaced by `***` wherever it
 * appears, also in the forms it takes inside a URL (percent-encoded as a path
 * segment or a query value, form-encoded with `+`) and inside JSON text.
 * Longer forms are tried first, so a secret that contains another is masked
 * whole. Pure: no I/O, no state besides the compiled pattern.
 *
 * @example
 * const redact = createRedactor(new SecretValues(['s3cr3t/key']));
 * redact('GET https://api.example.com/s3cr3t%2Fkey/latest'); // 'GET https://api.example.com/***\/latest'
 */
export function createRedactor(secrets: SecretValues | Iterable<string>): Redact {
  const values = secrets instanceof SecretValues ? secrets.values() : new SecretValues(secrets).values();
  const forms = new Set<string>();
  for (const v of values) {
    for (const form of encodedForms(v)) if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
  }
  if (forms.size === 0) return noRedaction;
  const pattern = new RegExp(
    [...forms]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return (text) => (typeof text === 'string' ? text.replace(pattern, MASK) : text);
}

/** The ways a value can be written in URLs, form bodies and JSON. */
function encodedForms(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1)];
  try {
    forms.push(encodeURIComponent(value), encodeURI(value));
    // WHATWG URL keeps more characters as they are in a path than encodeURI does.
    forms.push(new URL(`http://h/${value}`).pathname.slice(1));
    forms.push(new URLSearchParams({ v: value }).toString().slice(2));
  } catch {
    // A lone surrogate cannot be URL-encoded: it cannot be in a URL either.
  }
  // Percent-encoding written in lower case by some clients.
  for (const f of [...forms]) {
    if (/%[0-9A-F]{2}/.test(f)) forms.push(f.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  }
  return forms;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A copy of `value` with every string in it redacted (object keys included),
 * for log objects, error details and API bodies. Errors become
 * `{ type, message }`; nesting deeper than 8 levels is cut.
 */
export function redactDeep(value: unknown, redact: Redact, depth = 0): unknown {
  if (redact === noRedaction) return value;
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[nested too deep]';
  if (value instanceof Error) {
    return { type: value.name, message: redact(value.message) };
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[redact(k)] = redactDeep(v, redact, depth + 1);
  return out;
}

import { GapwardenError } from '../../internal/errors.js';

/** The partition variables a PartitionRef carries (see Partitioning.describe). */
export const PARTITION_VARS = ['partition', 'date', 'unix', 'ms', 'iso'] as const;
/** Variables describing the moment of the request, available in every template. */
export const NOW_VARS = ['now.unix', 'now.ms', 'now.iso'] as const;

/** Which request a template belongs to; it decides which placeholders exist. */
export type TemplateScope = 'latest' | 'byKey' | 'byRange';

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/**
 * The placeholder names allowed in a request of `scope`.
 * `page` exists only for paginated byRange requests, because an unpaginated
 * request has no page number to put there.
 */
export function allowedVariables(scope: TemplateScope, paginated: boolean): ReadonlySet<string> {
  const names: string[] = [...NOW_VARS];
  if (scope === 'byKey') names.push(...PARTITION_VARS);
  if (scope === 'byRange') {
    names.push('from', 'to');
    for (const v of PARTITION_VARS) names.push(`from.${v}`, `to.${v}`);
    if (paginated) names.push('page');
  }
  return new Set(names);
}

/** The placeholder names used in `text`, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => (m[1] ?? '').trim());
}

/** One template string that refers to a placeholder that does not exist. */
export interface TemplateProblem {
  /** Dot path of the string inside the source options, e.g. `byKey.query.issue`. */
  path: string;
  placeholder: string;
  allowed: string[];
}

/**
 * Walks every string in `value` (objects and arrays included, for bodies) and
 * reports placeholders that are not in `allowed`.
 */
export function findTemplateProblems(
  value: unknown,
  allowed: ReadonlySet<string>,
  path: string,
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const visit = (v: unknown, p: string) => {
    if (typeof v === 'string') {
      for (const name of placeholdersIn(v)) {
        if (!allowed.has(name)) problems.push({ path: p, placeholder: name, allowed: [...allowed].sort() });
      }
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => {
        visit(item, `${p}.${i}`);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) visit(item, `${p}.${k}`);
    }
  };
  visit(value, path);
  return problems;
}

/**
 * Replaces `${name}` placeholders in `text` with `vars[name]`, passing each value
 * through `encode` (the URL path needs encoding, headers and bodies do not).
 * A variable missing at request time means the dataset's partitioning does not
 * describe it (e.g. `${date}` on a plain sequence): that is a configuration
 * mistake, not an upstream failure, so it is reported as CONFIG_INVALID.
 */
export function renderTemplate(
  text: string,
  vars: Readonly<Record<string, string>>,
  encode: (s: string) => string = (s) => s,
): string {
  return text.replace(PLACEHOLDER, (_whole, raw: string) => {
    const name = raw.trim();
    const value = vars[name];
    if (value === undefined) {
      throw new GapwardenError(
        'CONFIG_INVALID',
        `template placeholder \${${name}} has no value for this partition; the dataset's partitioning does not provide "${name}"`,
        { details: { placeholder: name, available: Object.keys(vars).sort() } },
      );
    }
    return encode(value);
  });
}

/** Renders every string leaf of a JSON-like value (request bodies). */
export function renderDeep(value: unknown, vars: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return renderTemplate(value, vars);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, vars)]));
  }
  return value;
}

/** The `now.*` variables for the instant `nowMs`. */
export function nowVariables(nowMs: number): Record<string, string> {
  return {
    'now.unix': String(Math.floor(nowMs / 1000)),
    'now.ms': String(nowMs),
    'now.iso': new Date(nowMs).toISOString(),
  };
}

/** The variables of a byRange request: `from`/`to` are the ends' `partition`, `from.x`/`to.x` each var. */
export function rangeVariables(
  from: Readonly<Record<string, string>>,
  to: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(from)) out[`from.${k}`] = v;
  for (const [k, v] of Object.entries(to)) out[`to.${k}`] = v;
  if (from.partition !== undefined) out.from = from.partition;
  if (to.partition !== undefined) out.to = to.partition;
  return out;
}

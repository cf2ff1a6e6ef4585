import type { ConfigIssue } from '../internal/errors.js';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** A value the environment supplied, and the field it went into. */
export interface EnvValue {
  path: string;
  value: string;
}

/**
 * Replaces `${env:NAME}` (or `${env:NAME:-default}`) in every string of a
 * config tree with the environment's value. Secrets therefore live in the
 * environment, never in the file. A reference to an unset variable without a
 * default is reported as an issue at its field path. Every value taken from
 * the environment is returned in `fromEnv` (defaults are written in the file,
 * so they are not), for the redactor.
 */
export function resolveEnvRefs(
  input: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { value: unknown; issues: ConfigIssue[]; fromEnv: EnvValue[] } {
  const issues: ConfigIssue[] = [];
  const fromEnv: EnvValue[] = [];
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      return node.replace(ENV_REF, (whole, name: string, fallback: string | undefined) => {
        const v = env[name];
        if (v !== undefined && v !== '') {
          fromEnv.push({ path, value: v });
          return v;
        }
        if (fallback !== undefined) return fallback;
        issues.push({
          path,
          expected: `environment variable ${name} to be set`,
          found: 'unset',
          message: `${whole} refers to an environment variable that is not set; export ${name}=... before starting`,
        });
        return '';
      });
    }
    if (Array.isArray(node)) return node.map((v, i) => walk(v, `${path}[${i}]`));
    if (node !== null && typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = walk(v, path ? `${path}.${k}` : k);
      return out;
    }
    return node;
  };
  return { value: walk(input, ''), issues, fromEnv };
}

import type { z } from 'zod';
import type { ConfigIssue } from './errors.js';

/** Turns zod's issues into ConfigIssues: a field path, what was expected, what was found. */
export function toConfigIssues(error: z.ZodError, input: unknown): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    const found = describeValue(valueAt(input, issue.path));
    switch (issue.code) {
      case 'invalid_type':
        return {
          path,
          expected: String(issue.expected),
          found,
          message: found === 'nothing' ? 'required field is missing' : `wrong type`,
        };
      case 'invalid_value':
        return {
          path,
          expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
          found,
          message: 'value not allowed',
        };
      case 'unrecognized_keys':
        return {
          path,
          expected: 'only known fields',
          found: issue.keys.map((k) => JSON.stringify(k)).join(', '),
          message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (check the spelling; see docs/configuration.md)`,
        };
      case 'invalid_key': {
        // zod says only "Invalid key in record"; the key's own issue says what a key must look like.
        const why = issue.issues[0]?.message ?? issue.message;
        const key = issue.path[issue.path.length - 1];
        const name = JSON.stringify(String(key));
        return { path, expected: why, found: name, message: `the name ${name} is not allowed; use ${why}` };
      }
      default:
        return { path, expected: expectedFromMessage(issue.message), found, message: issue.message };
    }
  });
}

function expectedFromMessage(message: string): string {
  const m = /expected (.+)$/i.exec(message);
  return m ? m[1]! : 'a valid value';
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const p of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[p];
  }
  return node;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v !== null && typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

import { GapwardenError } from '../../internal/errors.js';

export type SqlDialect = 'postgres' | 'mysql' | 'sqlite';

/** A statement with its parameters bound: the SQL text never carries a value. */
export interface RenderedSql {
  sql: string;
  params: unknown[];
}

/**
 * Splits a template into SQL text and `{{name}}` placeholders, leaving
 * quoted strings, quoted identifiers, comments and PostgreSQL dollar-quoted
 * bodies untouched (a `{{` inside a literal stays a literal).
 */
export function parseSqlTemplate(template: string): (string | { name: string })[] {
  const parts: (string | { name: string })[] = [];
  let text = '';
  let i = 0;
  const n = template.length;
  while (i < n) {
    const c = template[i]!;
    const skipTo = (end: number) => {
      text += template.slice(i, end);
      i = end;
    };
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n) {
        if (template[j] === c) {
          if (template[j + 1] === c) j += 2;
          else break;
        } else if (template[j] === '\\' && c !== '"') j += 2;
        else j += 1;
      }
      skipTo(Math.min(n, j + 1));
    } else if (c === '-' && template[i + 1] === '-') {
      const end = template.indexOf('\n', i);
      skipTo(end < 0 ? n : end);
    } else if (c === '/' && template[i + 1] === '*') {
      const end = template.indexOf('*/', i + 2);
      skipTo(end < 0 ? n : end + 2);
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(template.slice(i))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(template.slice(i))![0];
      const end = template.indexOf(tag, i + tag.length);
      skipTo(end < 0 ? n : end + tag.length);
    } else if (c === '{' && template[i + 1] === '{') {
      const m = /^\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/.exec(template.slice(i));
      if (!m)
        throw new GapwardenError('CONFIG_INVALID', `malformed placeholder at "${template.slice(i, i + 30)}"`);
      if (text) parts.push(text);
      text = '';
      parts.push({ name: m[1]! });
      i += m[0].length;
    } else {
      text += c;
      i += 1;
    }
  }
  if (text) parts.push(text);
  return parts;
}

/** Looks a placeholder up: `key`, `now`, a finding field, or `a.b` into a field's object. */
function lookup(vars: Readonly<Record<string, unknown>>, name: string): unknown {
  let value: unknown = vars;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) {
      throw new GapwardenError(
        'REQUEST_INVALID',
        `the repair template uses {{${name}}}, which this finding does not have (it has ${Object.keys(vars).join(', ')})`,
      );
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** SQLite binds numbers, strings, bigints, buffers and null: a Date goes in as ISO text, a boolean as 0/1. */
function sqliteValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === undefined) return null;
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) return JSON.stringify(v);
  return v;
}

/**
 * Renders a parsed template for one finding: every placeholder becomes the
 * dialect's parameter (`$n` on PostgreSQL, `?` elsewhere) bound to its value.
 */
export function renderSql(
  parts: readonly (string | { name: string })[],
  vars: Readonly<Record<string, unknown>>,
  dialect: SqlDialect,
): RenderedSql {
  const params: unknown[] = [];
  let sql = '';
  for (const p of parts) {
    if (typeof p === 'string') {
      sql += p;
      continue;
    }
    const v = lookup(vars, p.name);
    params.push(dialect === 'sqlite' ? sqliteValue(v) : v === undefined ? null : v);
    sql += dialect === 'postgres' ? `$${params.length}` : '?';
  }
  return { sql, params };
}

/** Quotes a validated identifier (`table` or `schema.table`) for the dialect. */
export function quoteIdentifier(name: string, dialect: SqlDialect): string {
  const q = dialect === 'mysql' ? '`' : '"';
  return name
    .split('.')
    .map((p) => `${q}${p.replaceAll(q, q + q)}${q}`)
    .join('.');
}

/** The dialect's parameter marker for position `n` (1-based). */
export function param(n: number, dialect: SqlDialect): string {
  return dialect === 'postgres' ? `$${n}` : '?';
}

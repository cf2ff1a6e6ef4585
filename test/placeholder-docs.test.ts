// The placeholder tables of docs/configuration.md, checked against the code: every
// example value there is what a request of that partitioning really gets.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { createPartitioning, type PartitioningDefinition } from '../src/domain/create-partitioning.js';
import { httpSourceSchema } from '../src/sources/http/http-source-schema.js';
import { nowVariables, PARTITION_VARS, rangeVariables } from '../src/sources/http/templates.js';

const docs = readFileSync(join(import.meta.dirname, '..', 'docs', 'configuration.md'), 'utf8');

/** The body rows of the markdown table whose header line starts with `header`, cells unquoted. */
function table(header: string): string[][] {
  const lines = docs.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  assert.ok(start >= 0, `docs/configuration.md has a table starting "${header}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim().replace(/^`(.*)`$/, '$1')),
    );
  }
  return rows;
}

describe('docs/configuration.md: what each placeholder produces', () => {
  it('the partition placeholders of every partitioning kind', () => {
    const rows = table('| partitioning | a partition |');
    assert.ok(rows.length >= 8, `${rows.length} rows`);
    for (const [definition, value, ...cells] of rows) {
      const p = createPartitioning(parse(`{ ${definition} }`) as PartitioningDefinition);
      const raw = /^\d+$/.test(value!) ? Number(value) : value;
      const ordinal = p.toOrdinal(raw);
      assert.equal(typeof ordinal, 'number', `${definition}: ${value} is a partition`);
      const vars = p.describe(ordinal as number);
      const documented = Object.fromEntries(PARTITION_VARS.map((name, i) => [name, cells[i]]));
      const actual = Object.fromEntries(PARTITION_VARS.map((name) => [name, vars[name] ?? '—']));
      assert.deepEqual(actual, documented, definition);
    }
  });

  it('the range, page and request-time placeholders', () => {
    const rows = table('| placeholder | where | example | value |');
    const daily = createPartitioning({ calendar: { every: '1d', timezone: 'Asia/Shanghai' } });
    const describe = (date: string) => daily.describe(daily.toOrdinal(date) as number);
    const firstPage = httpSourceSchema.parse({
      name: 'p',
      type: 'http',
      baseUrl: 'http://127.0.0.1',
      byRange: { url: '/r', pagination: {} },
      response: { records: 'data', key: 'id' },
    }).byRange?.pagination?.pageStart;
    const vars: Record<string, string> = {
      ...rangeVariables(describe('2026-03-01'), describe('2026-03-04')),
      ...nowVariables(Date.parse('2026-03-04T10:20:30.123Z')),
      page: String(firstPage),
    };
    assert.equal(rows.length, 8);
    for (const [placeholder, , example] of rows) {
      const name = /^\$\{(.+)\}$/.exec(placeholder!)?.[1];
      assert.ok(name, `a placeholder: ${placeholder}`);
      assert.equal(vars[name], example, placeholder);
    }
  });
});

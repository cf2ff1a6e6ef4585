#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node:test through tsx.
// Usage: node scripts/run-tests.mjs [filter...]  (a filter keeps files whose path contains it)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = ['src', 'test']
  .flatMap((d) => find(d))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, GAPWARDEN_LOG_LEVEL: process.env.GAPWARDEN_LOG_LEVEL ?? 'silent' },
  },
);
process.exit(result.status ?? 1);

#!/usr/bin/env node
// The CLI entry: runs the compiled CLI, or the TypeScript sources through tsx in a checkout without a build.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
if (existsSync(built)) {
  const { main } = await import(pathToFileURL(built).href);
  await main(process.argv);
} else {
  const { tsImport } = await import('tsx/esm/api');
  const { main } = await tsImport(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href, import.meta.url);
  await main(process.argv);
}

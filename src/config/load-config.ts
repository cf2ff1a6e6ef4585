import { existsSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describeError, GapwardenError } from '../internal/errors.js';
import { compileConfig } from './compile-config.js';
import type { CompiledConfig } from './compiled-config.js';

/** File names looked for, in order, in a folder. */
export const CONFIG_FILE_NAMES = [
  'gapwarden.config.ts',
  'gapwarden.config.mjs',
  'gapwarden.config.js',
  'gapwarden.config.yaml',
  'gapwarden.config.yml',
];

/** Finds the config file: an explicit path, else the first known name in `dir` (default: cwd). */
export function findConfigFile(options: { config?: string; dir?: string }): string {
  if (options.config) {
    const file = resolve(options.config);
    if (!existsSync(file)) throw new GapwardenError('CONFIG_NOT_FOUND', `config file ${file} does not exist`);
    return file;
  }
  const dir = resolve(options.dir ?? '.');
  for (const name of CONFIG_FILE_NAMES) {
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new GapwardenError(
    'CONFIG_NOT_FOUND',
    `no gapwarden config in ${dir} (looked for ${CONFIG_FILE_NAMES.join(', ')}); run \`gapwarden init\` to write one, or pass --config <file>`,
  );
}

/** Reads a config file (TypeScript, JavaScript or YAML) without validating it. */
export async function readConfigFile(file: string): Promise<unknown> {
  const ext = extname(file);
  try {
    if (ext === '.yaml' || ext === '.yml') return parseYaml(readFileSync(file, 'utf8'));
    if (ext === '.ts') {
      const { tsImport } = await import('tsx/esm/api');
      const mod = await tsImport(`${pathToFileURL(file).href}?t=${Date.now()}`, import.meta.url);
      return defaultExport(mod);
    }
    return defaultExport(await import(`${pathToFileURL(file).href}?t=${Date.now()}`));
  } catch (err) {
    const message = describeError(err);
    // The starter config imports `defineConfig` from 'gapwarden': the package must be resolvable from it.
    const hint = /Cannot find (module|package) 'gapwarden'/.test(message)
      ? " (install gapwarden in the config's project: `npm install --save-dev gapwarden`, or drop the import and export the plain object)"
      : '';
    throw new GapwardenError('CONFIG_INVALID', `could not read ${file}: ${message}${hint}`, {
      cause: err,
    });
  }
}

/**
 * The module's default export. A `.ts` file outside an ESM package is compiled as CommonJS, and
 * importing it wraps `export default` once more (`{ default: { default: config } }`): unwrap that.
 */
function defaultExport(mod: unknown): unknown {
  let value = (mod as { default?: unknown } | undefined)?.default;
  while (isModuleWrapper(value)) value = value.default;
  return value;
}

function isModuleWrapper(value: unknown): value is { default: unknown } {
  if (typeof value !== 'object' || value === null || !('default' in value)) return false;
  return Object.keys(value).every((key) => key === 'default' || key === '__esModule');
}

/** Finds, reads, validates and compiles the configuration. */
export async function loadConfig(
  options: { config?: string; dir?: string; env?: Record<string, string | undefined> } = {},
): Promise<CompiledConfig> {
  const file = findConfigFile(options);
  const raw = await readConfigFile(file);
  return compileConfig(raw, { file, env: options.env ?? process.env });
}

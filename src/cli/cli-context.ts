import type { CompiledConfig } from '../config/compiled-config.js';
import { loadConfig } from '../config/load-config.js';
import type { CliConfigFlags } from '../core/module.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { systemClock } from '../internal/clock.js';
import { describeError, exitCodeFor, GapwardenError } from '../internal/errors.js';
import type { LogLevel } from '../internal/logger.js';
import { createLogger } from '../logging/json-logger.js';
import { createStoreFromConfig } from '../store/create-store.js';
import type { SqliteCreatePolicy } from '../store/sqlite/sqlite-store-file.js';

/** Options every verb that reads a config accepts. */
export type ConfigFlags = CliConfigFlags;

/** The log level: `GAPWARDEN_LOG_LEVEL` wins, then the verb's own default. */
export function logLevel(fallback: LogLevel): LogLevel {
  const env = process.env.GAPWARDEN_LOG_LEVEL as LogLevel | undefined;
  return env && ['debug', 'info', 'warn', 'error', 'silent'].includes(env) ? env : fallback;
}

/**
 * Loads the config and creates an engine over its store. `createStore` says
 * what to do when the SQLite file is absent: verbs that only read pass
 * `never`, so they report a missing store instead of creating an empty one.
 */
export async function openEngine(
  flags: ConfigFlags,
  level?: LogLevel,
  options: { createStore?: SqliteCreatePolicy } = {},
): Promise<{ config: CompiledConfig; engine: Engine }> {
  const config = await loadConfig(flags);
  const logger = createLogger(logLevel(level ?? config.log.level));
  const store = createStoreFromConfig(config.store, {
    clock: systemClock,
    logger,
    create: options.createStore ?? 'first-run',
  });
  const engine = createEngine({ config, logger, store });
  return { config, engine };
}

/** Writes a value as pretty JSON to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Runs a verb: maps errors to a message on stderr (or a JSON error on stdout
 * with `--json`) and to an exit code from the error's code, never its text.
 */
export async function runVerb(
  flags: { json?: boolean },
  action: () => Promise<number | undefined>,
): Promise<void> {
  try {
    const code = await action();
    process.exitCode = code ?? 0;
  } catch (err) {
    const code = err instanceof GapwardenError ? err.code : 'INTERNAL';
    if (flags.json) printJson({ error: { code, message: describeError(err) } });
    else process.stderr.write(`gapwarden: ${describeError(err)}\n`);
    if (!(err instanceof GapwardenError)) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
    process.exitCode = exitCodeFor(err);
  }
}

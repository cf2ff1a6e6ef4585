import { Command } from 'commander';
import { BUILT_IN_MODULES } from '../engine/built-in-modules.js';
import { createCliKit } from './cli-kit.js';
import { registerBackfill } from './commands/backfill.js';
import { registerCheck } from './commands/check.js';
import { registerDemo } from './commands/demo.js';
import { registerGaps } from './commands/gaps.js';
import { registerInit } from './commands/init.js';
import { registerPurge } from './commands/purge.js';
import { registerServe } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { PACKAGE_VERSION } from './server-options.js';

/** Builds the CLI program: the core's verbs (`commands/<verb>.ts`) and each module's (`GapwardenModule.cli`). */
export function createProgram(): Command {
  const program = new Command('gapwarden')
    .description('keeps datasets complete: collect, store idempotently, detect gaps, backfill')
    .version(PACKAGE_VERSION)
    .showHelpAfterError();
  registerInit(program);
  registerServe(program);
  // Before the modules: the checks module adds `check run` to the core's `check`.
  registerCheck(program);
  for (const def of BUILT_IN_MODULES) def.cli?.(program, createCliKit(def));
  registerDemo(program);
  registerStatus(program);
  registerGaps(program);
  registerBackfill(program);
  registerPurge(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  program.exitOverride((err) => {
    // Usage errors (unknown verb or option) exit 2, like bad config.
    process.exit(err.exitCode === 0 ? 0 : 2);
  });
  await program.parseAsync(argv);
  // A finished verb ends the process even if a socket or timer of a library is still open.
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

const EXIT_GRACE_MS = 2_000;

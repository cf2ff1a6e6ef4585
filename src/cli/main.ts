import { Command } from 'commander';
import { registerBackfill } from './commands/backfill.js';
import { registerCheck } from './commands/check.js';
import { registerDemo } from './commands/demo.js';
import { registerGaps } from './commands/gaps.js';
import { registerInit } from './commands/init.js';
import { registerJobs } from './commands/jobs.js';
import { registerServe } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { PACKAGE_VERSION } from './server-options.js';

/** Builds the CLI program; every verb lives in `commands/<verb>.ts`. */
export function createProgram(): Command {
  const program = new Command('gapwarden')
    .description('keeps datasets complete: collect, store idempotently, detect gaps, backfill')
    .version(PACKAGE_VERSION)
    .showHelpAfterError();
  registerInit(program);
  registerServe(program);
  registerJobs(program);
  registerDemo(program);
  registerStatus(program);
  registerGaps(program);
  registerCheck(program);
  registerBackfill(program);
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

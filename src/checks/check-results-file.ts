import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompiledCheck } from '../config/compiled-checks.js';
import { describeError } from '../internal/errors.js';
import type { Logger } from '../internal/logger.js';
import type { CheckRun } from './check-run.js';
import { summarizeCheckRun } from './check-summary.js';

/** Where a run of `check` goes: `<resultsDir>/<check>/<its local day>.jsonl`. */
export function resultsFileOf(check: CompiledCheck, run: CheckRun): string | undefined {
  return check.resultsDir === undefined ? undefined : join(check.resultsDir, check.name, `${run.day}.jsonl`);
}

/**
 * Appends a run to the check's daily JSON Lines file (`resultsDir`), as the
 * API shows it. The store keeps the run whatever happens here: a file that
 * cannot be written is logged, and the run still counts.
 */
export async function appendResultLine(check: CompiledCheck, run: CheckRun, logger: Logger): Promise<void> {
  const file = resultsFileOf(check, run);
  if (file === undefined) return;
  try {
    await mkdir(join(check.resultsDir!, check.name), { recursive: true });
    await appendFile(file, `${JSON.stringify(summarizeCheckRun(run))}\n`);
  } catch (err) {
    logger.warn({
      msg: 'could not append the check run to its results file',
      check: check.name,
      file,
      error: describeError(err),
    });
  }
}

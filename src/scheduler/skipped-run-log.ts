import type { HolderLiveness } from '../internal/holder-id.js';
import type { Logger } from '../internal/logger.js';

/** Why a due run did not run: the previous one still ran (`overlap`), or the job's `catchUp` is `skip`. */
export type SkipReason = 'overlap' | 'catch-up';

/**
 * Logs a due run that was not run, beside the skipped entry in the run
 * history: at warn for an overlap (the job takes longer than its schedule
 * allows; `holder` names the process whose run was still going), at info for
 * runs missed while down that the `skip` catch-up policy drops on purpose.
 */
export function logSkippedRun(
  logger: Logger,
  skip: {
    job: string;
    dueAt: number;
    reason: SkipReason;
    detail: string;
    holder?: string | null | undefined;
    /** Whether the holder's process still runs: `unknown` for one on another machine. */
    holderAlive?: HolderLiveness;
    /** When the holder's lease ends (ms): the run is taken over then at the latest. */
    leaseUntil?: number | null | undefined;
  },
): void {
  const line = {
    msg: 'job run skipped',
    job: skip.job,
    dueAt: new Date(skip.dueAt).toISOString(),
    reason: skip.reason,
    detail: skip.detail,
    ...(skip.holder ? { holder: skip.holder } : {}),
    ...(skip.holderAlive ? { holderAlive: skip.holderAlive } : {}),
    ...(typeof skip.leaseUntil === 'number' ? { leaseUntil: new Date(skip.leaseUntil).toISOString() } : {}),
  };
  if (skip.reason === 'overlap') logger.warn(line);
  else logger.info(line);
}

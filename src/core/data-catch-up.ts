import type { CompiledJob } from '../config/compiled-config.js';
import type { Core } from './core.js';

/** How far back the data-aware catch-up looks for the schedule's latest due time. */
const LOOKBACK_MS = 400 * 86_400_000;

/**
 * The data-aware catch-up of a calendar dataset's collect job: when the newest
 * stored partition is older than the newest one the calendar says is due (the
 * service was down over the nightly run, or it died mid-run), the job should
 * run now. Returns the due time to run it for — the schedule's latest due time,
 * the same in every process, so only one of them runs it — or undefined.
 * What the run then brings in opens the gaps behind it, which backfill fills.
 */
export function dataCatchUpDue(
  core: Pick<Core, 'dataset'>,
  job: CompiledJob,
  nowMs: number,
): number | undefined {
  if (job.kind !== 'collect' || job.dataset === undefined) return undefined;
  const rt = core.dataset(job.dataset);
  const p = rt.config.partitioning;
  if (p.kind !== 'calendar') return undefined;
  const due = p.latestDue(nowMs);
  if (due === undefined) return undefined;
  const newest = rt.coverage.window()?.[1];
  if (newest !== undefined && newest >= due) return undefined;
  return job.schedule.latestBetween(nowMs - LOOKBACK_MS, nowMs, 1)[0] ?? nowMs;
}

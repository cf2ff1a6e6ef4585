import type { CompiledDataset } from '../config/compiled-config.js';
import type { DatasetCoverage } from '../coverage/dataset-coverage.js';
import { formatDuration } from '../domain/duration.js';
import type { SourceHealth } from '../domain/source-health.js';
import type { BackfillItemState, DatasetStats } from '../store/store.js';
import type { DueSinceStart } from './due-since-start.js';
import type { DatasetHealth, DatasetStatus } from './status-report.js';

/**
 * Derives a dataset's status from its counts. Pure.
 * - unhealthy: freshness past `errorAfter`, or partitions whose backfill failed for good;
 * - degraded: open gaps, freshness past `warnAfter`, or a source skipped by its breaker;
 * - healthy otherwise.
 *
 * A dataset with nothing stored has no window to find gaps in; when it is a
 * calendar with a `start` (`dueSinceStart`), every partition due since then
 * is missing: degraded at 0%, and unhealthy once the first of them has been due
 * longer than `errorAfter` (a freshness with no record at all).
 */
export function deriveDatasetStatus(input: {
  config: CompiledDataset;
  coverage: DatasetCoverage;
  stats: DatasetStats;
  backfill: Record<BackfillItemState, number>;
  sources: SourceHealth[];
  nowMs: number;
  /** For a calendar with a start: what is due since it (looked at only while nothing is stored). */
  dueSinceStart?: DueSinceStart | undefined;
}): DatasetStatus {
  const { config, coverage, stats, backfill, sources, nowMs } = input;
  const summary = coverage.summary();
  const window = coverage.window();
  const due = window === undefined ? input.dueSinceStart : undefined;
  const freshnessMs = stats.lastInsertAt === null ? null : Math.max(0, nowMs - stats.lastInsertAt);
  const { warnMs, errorMs } = config.freshness;
  let freshness: DatasetStatus['freshness'] = 'ok';
  if (freshnessMs === null) freshness = 'unknown';
  else if (errorMs !== undefined && freshnessMs > errorMs) freshness = 'error';
  else if (warnMs !== undefined && freshnessMs > warnMs) freshness = 'warn';

  const reasons: string[] = [];
  let status: DatasetHealth = 'healthy';
  const worsen = (to: DatasetHealth, why: string) => {
    reasons.push(why);
    if (to === 'unhealthy' || status === 'healthy') status = to;
  };
  if (freshness === 'error')
    worsen(
      'unhealthy',
      `no new record for ${formatDuration(freshnessMs!)} (error after ${formatDuration(errorMs!)})`,
    );
  if (backfill.failed > 0) worsen('unhealthy', `${backfill.failed} partition(s) could not be backfilled`);
  if (due !== undefined) {
    const expected = `no records yet; ${due.count} partition(s) expected since ${config.partitioning.valueOf(due.first)}`;
    const dueForMs = nowMs - (config.partitioning.instantOf(due.first) ?? nowMs);
    if (errorMs !== undefined && dueForMs > errorMs)
      worsen(
        'unhealthy',
        `${expected} (the first due ${formatDuration(dueForMs)} ago, error after ${formatDuration(errorMs)})`,
      );
    else worsen('degraded', expected);
  }
  if (freshness === 'warn')
    worsen(
      'degraded',
      `no new record for ${formatDuration(freshnessMs!)} (warn after ${formatDuration(warnMs!)})`,
    );
  if (summary.missing > 0)
    worsen('degraded', `${summary.missing} partition(s) missing in ${summary.gaps} gap(s)`);
  const open = sources.filter((s) => s.state === 'open');
  if (open.length > 0) worsen('degraded', `source(s) failing: ${open.map((s) => s.source).join(', ')}`);

  const expected = summary.expected;
  return {
    name: config.name,
    kind: config.partitioning.kind,
    status,
    reasons,
    records: stats.records,
    rejected: stats.rejected,
    first: window ? config.partitioning.valueOf(window[0]) : null,
    last: window ? config.partitioning.valueOf(window[1]) : null,
    lastInsertAt: stats.lastInsertAt,
    lastSource: stats.lastSource,
    freshnessSeconds: freshnessMs === null ? null : Math.round(freshnessMs / 1000),
    freshness,
    coveragePercent:
      due !== undefined
        ? 0
        : expected === 0
          ? 100
          : Math.floor(((summary.present + summary.knownMissing) / expected) * 10_000) / 100,
    openGaps: summary.gaps,
    missingPartitions: due?.count ?? summary.missing,
    knownMissing: summary.knownMissing,
    backfill,
    sources,
  };
}

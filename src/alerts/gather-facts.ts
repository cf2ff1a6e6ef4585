import type { Core } from '../core/core.js';
import type { AlertFacts, DatasetFacts } from './alert-facts.js';
import type { AlertObserver } from './alert-observer.js';

/** Gaps per dataset the gap rules look at (the largest and oldest are among the first few in practice). */
const GAPS_READ = 50;

/**
 * What the engine knows now, for the rules: each dataset's open gaps (with
 * their age), freshness, sources and backfill from the core's status (the
 * store's view, shared by every process), and the collect streaks and job
 * outcomes this process saw.
 */
export async function gatherFacts(core: Core, observer: AlertObserver, nowMs: number): Promise<AlertFacts> {
  const report = await core.status();
  const datasets: DatasetFacts[] = [];
  for (const d of report.datasets) {
    const gaps = d.openGaps > 0 ? await core.gaps(d.name, { limit: GAPS_READ }) : [];
    datasets.push({
      name: d.name,
      gaps: gaps.map((g) => ({
        from: g.from,
        to: g.to,
        count: g.count,
        ageMs: g.ageSeconds === null ? null : g.ageSeconds * 1000,
      })),
      missing: d.missingPartitions,
      lastInsertAt: d.lastInsertAt,
      sources: d.sources.map((s) => ({
        name: s.source,
        state: s.state,
        consecutiveFailures: s.consecutiveFailures,
        lastFailureAt: s.lastFailureAt,
        lastError: s.lastError,
      })),
      backfill: { pending: d.backfill.pending, running: d.backfill.running, failed: d.backfill.failed },
      collect: observer.collect(d.name),
    });
  }
  return { nowMs, datasets, jobs: observer.jobs(), checks: observer.checks(), streams: observer.streams() };
}

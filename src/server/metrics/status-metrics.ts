import { Gauge, type Registry } from 'prom-client';
import type { DatasetHealth, StatusReport } from '../../core/status-report.js';
import type { SourceHealth } from '../../domain/source-health.js';
import type { Engine } from '../../engine/engine.js';

const HEALTH: readonly DatasetHealth[] = ['healthy', 'degraded', 'unhealthy'];

/** A number per breaker state, so one `min by (dataset) (gapwarden_source_up) < 1` alert covers them all. */
const SOURCE_UP: Record<SourceHealth['state'], number> = { closed: 1, 'half-open': 0.5, open: 0 };

/**
 * How many gaps (lowest partitions first) the oldest gap age is taken over:
 * a sequence gap's age costs a store lookup, and a scrape must stay cheap.
 */
export const OLDEST_GAP_SCAN = 100;

/** Everything one scrape reads from the engine. */
export interface StatusSnapshot {
  report: StatusReport;
  /** Per dataset: the largest known gap age in seconds, 0 without gaps, null when no age can be told. */
  oldestGapAge: Map<string, number | null>;
}

/** Reads status once, plus gap ages for the datasets that have open gaps. */
export async function readStatus(engine: Engine): Promise<StatusSnapshot> {
  const report = await engine.status();
  const oldestGapAge = new Map<string, number | null>();
  for (const ds of report.datasets) {
    if (ds.openGaps === 0) {
      oldestGapAge.set(ds.name, 0);
      continue;
    }
    const ages = (await engine.gaps(ds.name, { limit: OLDEST_GAP_SCAN }))
      .map((g) => g.ageSeconds)
      .filter((a): a is number => a !== null);
    oldestGapAge.set(ds.name, ages.length === 0 ? null : Math.max(...ages));
  }
  return { report, oldestGapAge };
}

/**
 * Registers the gauges that mirror `engine.status()` and returns the function
 * that sets them from a snapshot. Setting is synchronous and starts from a
 * reset, so a scrape never shows a mix of two snapshots nor a source that is gone.
 */
export function registerStatusMetrics(registry: Registry): (snapshot: StatusSnapshot) => void {
  const registers = [registry];
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames, registers });

  const gapsOpen = gauge('gapwarden_gaps_open', 'Open gaps (runs of missing partitions).', ['dataset']);
  const missing = gauge('gapwarden_gap_partitions_missing', 'Partitions missing in open gaps.', ['dataset']);
  const oldestGap = gauge(
    'gapwarden_oldest_gap_age_seconds',
    `Age of the oldest open gap (over the first ${OLDEST_GAP_SCAN}) since gapwarden found it (not since its partition's date); 0 without gaps.`,
    ['dataset'],
  );
  const knownMissing = gauge(
    'gapwarden_known_missing_partitions',
    'Partitions every source confirmed do not exist; counted as covered, never retried.',
    ['dataset'],
  );
  const queue = gauge('gapwarden_backfill_queue_partitions', 'Partitions in the backfill queue by state.', [
    'dataset',
    'state',
  ]);
  const sourceUp = gauge(
    'gapwarden_source_up',
    'Circuit breaker of a source: 1 closed, 0.5 half-open (one trial call allowed), 0 open (skipped).',
    ['dataset', 'source'],
  );
  const freshness = gauge(
    'gapwarden_freshness_seconds',
    'Seconds since the last new record was stored; absent before the first one.',
    ['dataset'],
  );
  const status = gauge(
    'gapwarden_dataset_status',
    'Dataset health: 1 for the current status (healthy, degraded, unhealthy), 0 for the others.',
    ['dataset', 'status'],
  );
  const coverage = gauge(
    'gapwarden_coverage_ratio',
    'Present and known-missing partitions over expected partitions, 0..1.',
    ['dataset'],
  );
  const records = gauge('gapwarden_records_stored', 'Records in the store.', ['dataset']);
  const all = [
    gapsOpen,
    missing,
    oldestGap,
    knownMissing,
    queue,
    sourceUp,
    freshness,
    status,
    coverage,
    records,
  ];

  return ({ report, oldestGapAge }) => {
    for (const g of all) g.reset();
    for (const ds of report.datasets) {
      const dataset = ds.name;
      gapsOpen.set({ dataset }, ds.openGaps);
      missing.set({ dataset }, ds.missingPartitions);
      knownMissing.set({ dataset }, ds.knownMissing);
      records.set({ dataset }, ds.records);
      coverage.set({ dataset }, ds.coveragePercent / 100);
      const age = oldestGapAge.get(dataset);
      if (age !== undefined && age !== null) oldestGap.set({ dataset }, age);
      if (ds.lastInsertAt !== null)
        freshness.set({ dataset }, Math.max(0, (report.at - ds.lastInsertAt) / 1000));
      for (const s of HEALTH) status.set({ dataset, status: s }, s === ds.status ? 1 : 0);
      for (const [state, n] of Object.entries(ds.backfill)) queue.set({ dataset, state }, n);
      for (const s of ds.sources) sourceUp.set({ dataset, source: s.source }, SOURCE_UP[s.state]);
    }
  };
}

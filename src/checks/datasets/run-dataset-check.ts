import type { CompiledDatasetCheck } from '../../config/compiled-checks.js';
import type { Core } from '../../core/core.js';
import { GapwardenError } from '../../internal/errors.js';
import type { CheckOutcome } from '../check-outcome.js';
import { gapFindingKey } from '../finding.js';

/** Scores of a freshness check by the dataset's freshness state (its `warnAfter` / `errorAfter`). */
const FRESHNESS_SCORE = { ok: 100, warn: 85, error: 0, unknown: 0 } as const;

/**
 * A `freshness` or `gaps` check of a gapwarden dataset, read from the core's
 * status. `gaps`: the score is the coverage (percent of partitions present),
 * findings are the open gaps (each named by its range). `freshness`: 100 when
 * fresh, 85 past `warnAfter` (degraded), 0 past `errorAfter` or with no record yet.
 */
export async function runDatasetCheck(
  check: CompiledDatasetCheck,
  core: Core,
  fromMs: number,
  toMs: number,
): Promise<CheckOutcome> {
  const report = await core.status();
  const ds = report.datasets.find((d) => d.name === check.dataset);
  if (!ds) throw new GapwardenError('DATASET_UNKNOWN', `dataset "${check.dataset}" is not configured`);
  if (check.kind === 'freshness') {
    const score = FRESHNESS_SCORE[ds.freshness];
    return {
      score,
      total: 1,
      findings: score === 100 ? 0 : 1,
      delay: undefined,
      sample:
        score === 100
          ? []
          : [
              {
                key: ds.name,
                fields: { freshness: ds.freshness, freshnessSeconds: ds.freshnessSeconds, last: ds.last },
              },
            ],
    };
  }
  const gaps = await core.gaps(check.dataset, { limit: check.sample });
  void fromMs;
  void toMs;
  return {
    score: Math.round(ds.coveragePercent * 10_000) / 10_000,
    total: ds.records + ds.missingPartitions,
    findings: ds.missingPartitions,
    delay: undefined,
    sample: gaps.map((g) => ({
      key: gapFindingKey(g),
      fields: { from: g.from, to: g.to, count: g.count, ageSeconds: g.ageSeconds },
    })),
  };
}

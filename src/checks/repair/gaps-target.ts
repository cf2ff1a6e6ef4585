import type { CompiledDatasetCheck } from '../../config/compiled-checks.js';
import type { Core } from '../../core/core.js';
import { GapwardenError } from '../../internal/errors.js';
import { gapFindingKey } from '../finding.js';
import type { RepairTarget } from './repair-runner.js';

/**
 * The repair target of a `gaps` check with a backfill repair: each open gap
 * of the dataset in the window is a finding (`from..to`), re-verified against
 * the dataset's gaps just before its batch, and repaired by queueing a
 * backfill run over its ordinals on the core's backfill.
 */
export function gapsRepairTarget(
  check: CompiledDatasetCheck,
  core: Core,
  fromMs: number,
  toMs: number,
): RepairTarget {
  if (!check.repair) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `check "${check.name}" has no repair: add a repair: section to it`,
    );
  }
  const openGaps = async () => {
    const gaps = await core.gaps(check.dataset, { limit: 100_000 });
    // Calendar gaps are kept to the window; sequence gaps (no partition time) all count.
    return gaps.filter((g) => g.partitionAt === null || (g.partitionAt >= fromMs && g.partitionAt < toMs));
  };
  return {
    check: check.name,
    repair: check.repair,
    async findings(limit) {
      return (await openGaps()).slice(0, limit).map((g) => ({
        key: gapFindingKey(g),
        fields: {
          from: g.from,
          to: g.to,
          fromOrdinal: g.fromOrdinal,
          toOrdinal: g.toOrdinal,
          count: g.count,
        },
      }));
    },
    async reverify(batch) {
      const open = (await openGaps()).map((g) => [g.fromOrdinal, g.toOrdinal] as const);
      return new Set(
        batch
          .filter((f) => {
            const from = Number(f.fields.fromOrdinal);
            const to = Number(f.fields.toOrdinal);
            return open.some(([a, b]) => a <= to && b >= from);
          })
          .map((f) => f.key),
      );
    },
    async backfill(dataset, f) {
      const run = await core.queueBackfill(
        dataset,
        { fromOrdinal: Number(f.fields.fromOrdinal), toOrdinal: Number(f.fields.toOrdinal) },
        'manual',
      );
      return { backfillRun: run.id };
    },
  };
}

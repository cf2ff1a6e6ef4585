import type { CompiledCheck, CompiledConsistencyCheck } from '../../config/compiled-checks.js';
import { GapwardenError } from '../../internal/errors.js';
import type { ConsistencyQueries } from '../consistency/consistency-queries.js';
import type { RepairSqlConnection } from './repair-connection.js';
import type { RepairTarget } from './repair-runner.js';

/** The window a repair looks for findings in: explicit, or the check's widest profile window up to now. */
export function repairWindow(check: CompiledCheck, nowMs: number, from?: number, to?: number) {
  const widest = Math.max(0, ...check.profiles.map((p) => p.windowMs));
  const end = to ?? nowMs;
  return { fromMs: from ?? end - widest, toMs: end };
}

export interface RepairTargetOptions {
  check: CompiledCheck;
  /** How the check reads its findings (its connection, its datasets). */
  reader?: ConsistencyQueries | undefined;
  /** Where a SQL repair writes (the repair's connection, writable). */
  writer?: RepairSqlConnection | undefined;
  fromMs: number;
  toMs: number;
  backfill?: RepairTarget['backfill'];
}

/**
 * The repair target of a check: its findings now (every one in the window,
 * up to the repair's `max`) and the re-verification a batch runs just before
 * it acts. Consistency checks re-verify with the check's own query narrowed
 * to the batch's keys.
 */
export function repairTargetFor(o: RepairTargetOptions): RepairTarget {
  const { check } = o;
  if (!check.repair) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `check "${check.name}" has no repair: add a repair: section to it`,
    );
  }
  if (check.kind !== 'consistency') {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `check "${check.name}" is a ${check.kind} check: repairs run on consistency checks' findings`,
    );
  }
  const reader = o.reader;
  if (!reader) throw new GapwardenError('REQUEST_INVALID', `check "${check.name}": its sides cannot be read`);
  const c: CompiledConsistencyCheck = check;
  return {
    check: check.name,
    repair: check.repair,
    connection: o.writer,
    backfill: o.backfill,
    async findings(max) {
      const rows = await reader.missing(o.fromMs, o.toMs, max);
      return rows.map((r) => ({
        key: r.key,
        value: r.value,
        fields: { [c.parents.key]: r.value, [c.parents.time]: r.shown },
      }));
    },
    async reverify(batch) {
      const still = await reader.stillMissing(batch.map((f) => f.key));
      return new Set(still.map((f) => f.key));
    },
  };
}

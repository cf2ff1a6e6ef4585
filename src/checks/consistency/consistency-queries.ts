import type { CompiledCheckSide, CompiledConsistencyCheck } from '../../config/compiled-checks.js';
import type { Core } from '../../core/core.js';
import type { CheckOutcome } from '../check-outcome.js';
import type { CheckQueryable } from '../connections/check-connection.js';
import type { Finding } from '../finding.js';
import { completionScore } from '../score/score-scale.js';
import { sqlDialect } from '../sql/sql-dialect.js';
import { missingChildrenSql } from './consistency-sql.js';
import { datasetSideReader } from './dataset-side-reader.js';
import { firstTimes, summarizeJoin } from './join-summary.js';
import { findStillMissing, runConsistency } from './run-consistency.js';
import type { SideReader, SideRow } from './side-reader.js';
import { sqlSideReader } from './sql-side-reader.js';

/** A parent without its child: its key as text, as stored, and its time as a person reads it. */
export interface MissingParent {
  key: string;
  value: unknown;
  shown: unknown;
}

/**
 * What a consistency check asks of its two sides, wherever they live: the
 * outcome over a window, the missing parents in it (a repair's findings), and
 * which of some keys are still missing (a repair's re-verification).
 */
export interface ConsistencyQueries {
  evaluate(fromMs: number, toMs: number, sample: number): Promise<CheckOutcome>;
  missing(fromMs: number, toMs: number, limit: number): Promise<MissingParent[]>;
  stillMissing(keys: readonly string[]): Promise<MissingParent[]>;
}

export interface ConsistencyDeps {
  /** The check's connection (table and query sides). */
  connection: (name: string) => CheckQueryable;
  core: Core;
}

/**
 * The queries of a consistency check: one SQL statement in the team's database
 * when both sides are tables or queries there; otherwise each side is read on
 * its own (a dataset from gapwarden's store, a table with keyed lookups) and
 * the two are joined in process.
 */
export function consistencyQueriesFor(
  check: CompiledConsistencyCheck,
  deps: ConsistencyDeps,
): ConsistencyQueries {
  if (check.parents.kind === 'sql' && check.children.kind === 'sql' && check.connection !== undefined) {
    return sqlConsistencyQueries(check, deps.connection(check.connection));
  }
  const reader = (side: CompiledCheckSide): SideReader => {
    if (side.kind === 'sql') return sqlSideReader(side, check.timeFormat, deps.connection(check.connection!));
    const rt = deps.core.dataset(side.dataset);
    return datasetSideReader(side, {
      partitioning: rt.config.partitioning,
      presentRanges: () => rt.coverage.presentRanges(),
      recordsBetween: (from, to) => deps.core.store.recordsBetween(side.dataset, from, to),
    });
  };
  return joinedConsistencyQueries(check, reader(check.parents), reader(check.children));
}

/** Both sides in one database: the statements of consistency-sql.ts. */
export function sqlConsistencyQueries(
  check: CompiledConsistencyCheck,
  db: CheckQueryable,
): ConsistencyQueries {
  return {
    evaluate: (fromMs, toMs, sample) => runConsistency({ ...check, sample }, db, fromMs, toMs),
    async missing(fromMs, toMs, limit) {
      const s = missingChildrenSql(check, sqlDialect(db.dialect), fromMs, toMs, limit);
      const { rows } = await db.query(s.sql, s.params);
      // As stored (a Date as ISO 8601): a repair's template may write the parent's time back.
      return rows.map((r) => ({
        key: String(r.k),
        value: r.k,
        shown: r.t instanceof Date ? r.t.toISOString() : r.t,
      }));
    },
    async stillMissing(keys) {
      const rows = await findStillMissing(check, db, keys);
      return rows.map((f) => ({ key: f.key, value: f.key, shown: f.fields[check.parents.time] }));
    },
  };
}

/** Each side read on its own, joined in process (summarizeJoin). */
export function joinedConsistencyQueries(
  check: CompiledConsistencyCheck,
  parents: SideReader,
  children: SideReader,
): ConsistencyQueries {
  async function join(rows: SideRow[]) {
    const keys = [...new Set(rows.map((r) => r.key))];
    const childTimes = firstTimes(await children.withKeys(keys));
    return summarizeJoin(rows, childTimes, check.lateAfterMs);
  }
  const asMissing = (r: SideRow): MissingParent => ({ key: r.key, value: r.value, shown: r.shown });
  return {
    async evaluate(fromMs, toMs, sample) {
      const s = await join(await parents.inWindow(fromMs, toMs));
      return {
        score: completionScore(s.matched, s.parents),
        total: s.parents,
        findings: s.parents - s.matched,
        delay: { p50: s.p50, p95: s.p95, max: s.max, late: s.late },
        sample: s.missing.slice(0, sample).map((r) => parentFinding(check, r)),
      };
    },
    async missing(fromMs, toMs, limit) {
      return (await join(await parents.inWindow(fromMs, toMs))).missing.slice(0, limit).map(asMissing);
    },
    async stillMissing(keys) {
      if (keys.length === 0) return [];
      return (await join(await parents.withKeys(keys))).missing.map(asMissing);
    },
  };
}

function parentFinding(check: CompiledConsistencyCheck, r: SideRow): Finding {
  return { key: r.key, fields: { [check.parents.time]: r.shown } };
}

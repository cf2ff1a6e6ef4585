import type { CompiledCheckRepair, CompiledRepairAction } from '../../config/compile-check-repairs.js';
import type { Clock } from '../../internal/clock.js';
import { GapwardenError } from '../../internal/errors.js';
import type { Logger } from '../../internal/logger.js';
import { renderHttpCall, sendHttpCall } from './http-repair.js';
import type { RepairSqlConnection } from './repair-connection.js';
import {
  countOutcomes,
  emptyCounts,
  type NewRepairAction,
  type RepairChange,
  type RepairOutcome,
  type RepairRun,
  type RepairRunCounts,
} from './repair-journal.js';
import { planRepair, type RepairFinding } from './repair-plan.js';
import { renderSqlRepair, runSqlBatch, templateVars } from './sql-repair.js';
import type { RepairStore } from './store/repair-store.js';

/** What a repair acts on: a check, its findings now, and how to ask again whether a finding still is one. */
export interface RepairTarget {
  check: string;
  repair: CompiledCheckRepair;
  /** The check's current findings (keys and fields), `limit` at most. */
  findings(limit: number): Promise<RepairFinding[]>;
  /** Of these findings, the keys that are still findings right now (asked just before each batch). */
  reverify(findings: readonly RepairFinding[]): Promise<ReadonlySet<string>>;
  /** The writable connection of a SQL repair. */
  connection?: RepairSqlConnection | undefined;
  /** Queues a backfill of one finding's partitions (backfill repairs). */
  backfill?: ((dataset: string, finding: RepairFinding) => Promise<unknown>) | undefined;
}

/** `gapwarden repair <check> [--dry-run] [--batch-size] [--max] [--keys]`. */
export interface RepairRequest {
  dryRun?: boolean;
  batchSize?: number | undefined;
  max?: number | undefined;
  keys?: readonly string[] | undefined;
  /** Who asked (`cli`, `api`, a user name): recorded in the journal. */
  actor?: string;
}

export interface RepairDeps {
  store: RepairStore;
  clock: Clock;
  logger: Logger;
  /** Told each action's outcome (the repair metrics). */
  onOutcome?: ((check: string, outcome: RepairOutcome, count: number) => void) | undefined;
}

/** One line of a dry run: the key and exactly what a real run would do for it. */
export interface RepairPreviewItem {
  key: string;
  batch: number;
  action: Record<string, unknown>;
}

export interface RepairReport {
  check: string;
  kind: CompiledRepairAction['kind'];
  dryRun: boolean;
  /** `nothing-to-do`: no current finding matched (a run of a repaired check). */
  status: 'dry-run' | 'nothing-to-do' | 'done' | 'failed';
  /** The journal id a real run was recorded under (`rollback <id>`). */
  journalId: number | null;
  batchSize: number;
  planned: number;
  batches: number;
  deferred: number;
  notFindings: string[];
  counts: RepairRunCounts;
  error: string | null;
  preview: RepairPreviewItem[];
  run: RepairRun | null;
}

/** What one finding's action looks like before it runs (the dry-run line). */
function previewAction(action: CompiledRepairAction, target: RepairTarget, f: RepairFinding, now: Date) {
  switch (action.kind) {
    case 'sql': {
      const dialect = target.connection?.dialect ?? 'postgres';
      const r = renderSqlRepair(action, dialect)(f, now);
      return {
        kind: 'sql',
        connection: action.connection,
        sql: r.sql,
        params: r.params,
        table: action.table,
      };
    }
    case 'http':
      return { kind: 'http', ...renderHttpCall(action.call, templateVars(f, now)) };
    case 'backfill':
      return { kind: 'backfill', dataset: action.dataset, fields: f.fields };
    case 'function':
      return { kind: 'function', finding: f.fields };
  }
}

/** Runs one finding's non-SQL action. */
async function actOne(
  action: Exclude<CompiledRepairAction, { kind: 'sql' }>,
  target: RepairTarget,
  f: RepairFinding,
  now: Date,
): Promise<RepairChange> {
  switch (action.kind) {
    case 'http':
      return {
        ...(await sendHttpCall(action.call, templateVars(f, now), action.timeoutMs)),
        finding: f.fields,
      };
    case 'backfill': {
      if (!target.backfill)
        throw new GapwardenError('CHECK_FAILED', 'a backfill repair needs the core backfill');
      return { kind: 'backfill', dataset: action.dataset, queued: await target.backfill(action.dataset, f) };
    }
    case 'function': {
      const result = await action.run({
        check: target.check,
        key: f.key,
        finding: f.fields,
        signal: AbortSignal.timeout(60_000),
      });
      return { kind: 'function', result: result ?? null, finding: f.fields };
    }
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Runs (or, with `dryRun`, previews) a repair of a check's findings: a plan
 * of batches, then per batch a re-verification (findings fixed meanwhile are
 * left alone), the actions, and the journal record of what they changed. The
 * first batch that fails stops the run; what was done before it stays
 * recorded. A second run over repaired findings finds nothing to do.
 */
export async function runRepair(
  target: RepairTarget,
  request: RepairRequest,
  deps: RepairDeps,
): Promise<RepairReport> {
  const { repair } = target;
  const batchSize = request.batchSize ?? repair.batchSize;
  const max = request.max ?? repair.max;
  // With --keys, every finding is looked at: the keys asked for may lie beyond the first `max`.
  const findings = await target.findings(request.keys ? 1_000_000_000 : max + 1);
  const plan = planRepair(findings, { batchSize, max, keys: request.keys });
  const now = new Date(deps.clock.now());
  const base: RepairReport = {
    check: target.check,
    kind: repair.action.kind,
    dryRun: request.dryRun === true,
    status: 'dry-run',
    journalId: null,
    batchSize,
    planned: plan.total,
    batches: plan.batches.length,
    deferred: plan.deferred,
    notFindings: plan.notFindings,
    counts: emptyCounts(plan.total),
    error: null,
    preview: [],
    run: null,
  };
  if (repair.action.kind === 'sql' && !target.connection?.writable) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `check "${target.check}": the repair's connection "${repair.action.connection}" is not writable`,
    );
  }
  if (request.dryRun) {
    base.preview = plan.batches.flatMap((batch, b) =>
      batch.map((f) => ({ key: f.key, batch: b + 1, action: previewAction(repair.action, target, f, now) })),
    );
    return base;
  }
  if (plan.total === 0) return { ...base, status: 'nothing-to-do' };

  const log = deps.logger.child({ check: target.check });
  let run = await deps.store.createRun({
    check: target.check,
    kind: repair.action.kind,
    batchSize,
    max,
    keys: request.keys ? [...request.keys] : null,
    planned: plan.total,
    batches: plan.batches.length,
    actor: request.actor ?? 'cli',
    startedAt: deps.clock.now(),
  });
  log.info({ msg: 'repair started', journalId: run.id, planned: plan.total, batches: plan.batches.length });
  let counts = emptyCounts(plan.total);
  let error: string | null = null;
  const seq = { next: 1, batch: 0 };
  for (const batch of plan.batches) {
    seq.batch += 1;
    const at = new Date(deps.clock.now());
    const actions: NewRepairAction[] = [];
    try {
      const still = await target.reverify(batch);
      const todo: RepairFinding[] = [];
      for (const f of batch) {
        if (still.has(f.key)) todo.push(f);
        else {
          actions.push({
            seq: seq.next++,
            batch: seq.batch,
            key: f.key,
            outcome: 'fixed-meanwhile',
            change: { kind: 'none' },
            error: null,
            at: at.getTime(),
          });
        }
      }
      const action = repair.action;
      if (action.kind === 'sql') {
        if (todo.length > 0) actions.push(...(await runSqlBatch(target.connection!, action, todo, at, seq)));
      } else {
        for (const f of todo) {
          try {
            const change = await actOne(action, target, f, at);
            actions.push({
              seq: seq.next++,
              batch: seq.batch,
              key: f.key,
              outcome: 'repaired',
              change,
              error: null,
              at: at.getTime(),
            });
          } catch (err) {
            actions.push({
              seq: seq.next++,
              batch: seq.batch,
              key: f.key,
              outcome: 'failed',
              change: { kind: 'none' },
              error: message(err),
              at: at.getTime(),
            });
            throw err;
          }
        }
      }
    } catch (err) {
      error = `batch ${seq.batch} of ${plan.batches.length} failed: ${message(err)}`;
      const key = err instanceof GapwardenError ? err.details.key : undefined;
      // A SQL batch is one transaction: nothing of it stayed; the finding whose statement failed is recorded.
      if (repair.action.kind === 'sql' && typeof key === 'string' && !actions.some((a) => a.key === key)) {
        actions.push({
          seq: seq.next++,
          batch: seq.batch,
          key,
          outcome: 'failed',
          change: { kind: 'none' },
          error: message(err),
          at: at.getTime(),
        });
      }
      if (repair.action.kind === 'sql') {
        // The re-verified fixed-meanwhile lines stay; lines of statements rolled back are dropped.
        for (let i = actions.length - 1; i >= 0; i--) {
          const a = actions[i]!;
          if (a.outcome === 'repaired' || a.outcome === 'unchanged') actions.splice(i, 1);
        }
      }
    }
    counts = countOutcomes(counts, actions);
    if (error) counts.batchesDone -= 1;
    await deps.store.recordBatch(run.id, actions, counts);
    for (const outcome of ['repaired', 'unchanged', 'fixed-meanwhile', 'failed'] as const) {
      const n = actions.filter((a) => a.outcome === outcome).length;
      if (n > 0) deps.onOutcome?.(target.check, outcome, n);
    }
    if (error) break;
  }
  run = await deps.store.finishRun(run.id, error ? 'failed' : 'done', error, deps.clock.now());
  if (error) log.warn({ msg: 'repair stopped', journalId: run.id, error, ...counts });
  else log.info({ msg: 'repair finished', journalId: run.id, ...counts });
  return { ...base, status: error ? 'failed' : 'done', journalId: run.id, counts, error, run };
}

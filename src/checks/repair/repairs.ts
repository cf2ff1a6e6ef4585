import type { CompiledCheck } from '../../config/compiled-checks.js';
import type { ModuleContext } from '../../core/module.js';
import { GapwardenError } from '../../internal/errors.js';
import type { CheckConnection } from '../connections/check-connection.js';
import { consistencyQueriesFor } from '../consistency/consistency-queries.js';
import { gapsRepairTarget } from './gaps-target.js';
import type { RepairAction, RepairOutcome, RepairRun } from './repair-journal.js';
import { type RepairReport, type RepairRequest, type RepairTarget, runRepair } from './repair-runner.js';
import { repairTargetFor, repairWindow } from './repair-target.js';
import { type RollbackReport, rollbackRun } from './rollback-run.js';
import type { RepairStore } from './store/repair-store.js';
import { repairStorePart } from './store/repair-store-part.js';

/** What repairs need of the checks runtime: the checks and their open connections. */
export interface RepairChecksAccess {
  get(name: string): CompiledCheck;
  connection(name: string): CheckConnection;
}

export interface RepairRunRequest extends RepairRequest {
  /** The window findings are looked for in. @default the check's widest profile window, up to now */
  fromMs?: number | undefined;
  toMs?: number | undefined;
}

/** The repair side of the checks module: preview, run, journal, rollback. */
export interface Repairs {
  readonly journal: RepairStore;
  repair(check: string, request: RepairRunRequest): Promise<RepairReport>;
  rollback(journalId: number): Promise<RollbackReport>;
  runs(query: { check?: string | undefined; limit: number }): Promise<RepairRun[]>;
  /** A journal entry with its actions; NOT_FOUND for an unknown id. */
  entry(journalId: number): Promise<{ run: RepairRun; actions: RepairAction[] }>;
  /** Told each batch's outcomes (metrics); returns the unsubscribe. */
  onOutcome(listener: (check: string, outcome: RepairOutcome, count: number) => void): () => void;
}

/**
 * Creates the repairs of the checks module and registers the journal's store
 * part (call it from the module's `create`, before the store is migrated).
 */
export function createRepairs(ctx: ModuleContext, checks: RepairChecksAccess): Repairs {
  const journal = ctx.store.part(repairStorePart);
  const listeners = new Set<(check: string, outcome: RepairOutcome, count: number) => void>();
  const deps = {
    store: journal,
    clock: ctx.clock,
    logger: ctx.logger.child({ component: 'repairs' }),
    onOutcome: (check: string, outcome: RepairOutcome, count: number) => {
      for (const l of listeners) l(check, outcome, count);
    },
  };
  const writerOf = (check: CompiledCheck) =>
    check.repair?.action.kind === 'sql' ? checks.connection(check.repair.action.connection) : undefined;

  function targetOf(check: CompiledCheck, request: RepairRunRequest): RepairTarget {
    const { fromMs, toMs } = repairWindow(check, ctx.clock.now(), request.fromMs, request.toMs);
    if (check.kind === 'gaps') return gapsRepairTarget(check, ctx.core, fromMs, toMs);
    return repairTargetFor({
      check,
      reader:
        check.kind === 'consistency'
          ? consistencyQueriesFor(check, { connection: checks.connection, core: ctx.core })
          : undefined,
      writer: writerOf(check),
      fromMs,
      toMs,
    });
  }

  return {
    journal,
    repair: (name, request) => {
      const check = checks.get(name);
      return runRepair(targetOf(check, request), request, deps);
    },
    rollback: (journalId) =>
      rollbackRun(
        journalId,
        (run) => {
          let check: CompiledCheck;
          try {
            check = checks.get(run.check);
          } catch {
            throw new GapwardenError(
              'REQUEST_INVALID',
              `run ${journalId} repaired check "${run.check}", which is no longer configured: its repair (and connection) are needed to undo it`,
            );
          }
          return { repair: check.repair, connection: writerOf(check) };
        },
        deps,
      ),
    runs: (q) => journal.listRuns(q),
    async entry(journalId) {
      const run = await journal.getRun(journalId);
      if (!run)
        throw new GapwardenError(
          'NOT_FOUND',
          `no repair run with journal id ${journalId} (see gapwarden journal)`,
        );
      return { run, actions: await journal.actions(journalId) };
    },
    onOutcome(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

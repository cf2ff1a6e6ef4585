import type { CompiledCheckRepair } from '../../config/compile-check-repairs.js';
import type { Clock } from '../../internal/clock.js';
import { GapwardenError } from '../../internal/errors.js';
import type { Logger } from '../../internal/logger.js';
import { sendHttpCall } from './http-repair.js';
import type { RepairSqlConnection } from './repair-connection.js';
import type { RepairAction, RepairRun } from './repair-journal.js';
import { type RollbackConflict, rollbackSqlActions } from './sql-repair.js';
import type { RepairStore } from './store/repair-store.js';

/** What a rollback needs of the check whose run it undoes. */
export interface RollbackTarget {
  repair: CompiledCheckRepair | undefined;
  connection?: RepairSqlConnection | undefined;
}

export interface RollbackReport {
  journalId: number;
  check: string;
  status: 'rolled-back';
  /** Actions undone (findings put back as they were). */
  undone: number;
  /** SQL: rows inserted back from the before-images. */
  restoredRows: number;
  run: RepairRun;
}

const refuse = (msg: string, details: Record<string, unknown> = {}) =>
  new GapwardenError('ROLLBACK_REFUSED', msg, { details });

function describeConflicts(conflicts: readonly RollbackConflict[]): string {
  const shown = conflicts
    .slice(0, 5)
    .map((c) => `${c.key} (expected ${JSON.stringify(c.expected)}, found ${JSON.stringify(c.found)})`);
  const more = conflicts.length > 5 ? ` and ${conflicts.length - 5} more` : '';
  return `${shown.join('; ')}${more}`;
}

/**
 * Undoes a journal run: SQL from the before-images (refused, with nothing
 * undone, where a row changed since the repair), HTTP by the configured undo
 * call, a function by its `undo`. A run already rolled back, or being rolled
 * back, is refused; so is a run of a kind that cannot be undone.
 */
export async function rollbackRun(
  journalId: number,
  resolveTarget: (run: RepairRun) => Promise<RollbackTarget> | RollbackTarget,
  deps: { store: RepairStore; clock: Clock; logger: Logger },
): Promise<RollbackReport> {
  const existing = await deps.store.getRun(journalId);
  if (!existing)
    throw new GapwardenError(
      'NOT_FOUND',
      `no repair run with journal id ${journalId} (see gapwarden journal)`,
    );
  if (existing.status === 'running') {
    throw refuse(`repair run ${journalId} is still running; roll it back once it has finished`);
  }
  if (existing.rollbackStatus === 'done') {
    throw refuse(
      `repair run ${journalId} was already rolled back at ${new Date(existing.rollbackAt ?? 0).toISOString()}; a second rollback is refused`,
      { journalId, rolledBackAt: existing.rollbackAt },
    );
  }
  const target = await resolveTarget(existing);
  const actions = await deps.store.actions(journalId, { repairedOnly: true });
  if (existing.kind === 'backfill') {
    throw refuse(
      `repair run ${journalId} queued backfills: stored records are not undone by rollback (use purge)`,
    );
  }
  if (existing.kind === 'http' && actions.length > 0) {
    const action = target.repair?.action;
    if (action?.kind !== 'http' || !action.undo) {
      throw refuse(
        `check "${existing.check}" has no repair.http.undo call: run ${journalId} cannot be rolled back`,
      );
    }
  }
  if (existing.kind === 'function' && actions.length > 0) {
    const action = target.repair?.action;
    if (action?.kind !== 'function' || !action.undo) {
      throw refuse(
        `check "${existing.check}" has no repair.function.undo: run ${journalId} cannot be rolled back`,
      );
    }
  }
  if (existing.kind === 'sql' && actions.length > 0 && !target.connection?.writable) {
    throw refuse(
      `the connection of check "${existing.check}" is not writable: run ${journalId} cannot be rolled back`,
    );
  }
  const claim = await deps.store.claimRollback(journalId, deps.clock.now());
  if (!claim.claimed) {
    const st = claim.run?.rollbackStatus;
    throw refuse(
      st === 'done'
        ? `repair run ${journalId} was already rolled back; a second rollback is refused`
        : `repair run ${journalId} is being rolled back by another request`,
    );
  }
  const log = deps.logger.child({ check: existing.check, journalId });
  try {
    let restoredRows = 0;
    if (existing.kind === 'sql') {
      const { conflicts, restored } = await rollbackSqlActions(target.connection!, actions);
      if (conflicts.length > 0) {
        const msg = `rollback of run ${journalId} refused: ${conflicts.length} finding(s) changed since the repair, nothing was undone: ${describeConflicts(conflicts)}`;
        await deps.store.finishRollback(journalId, 'refused', msg, deps.clock.now());
        log.warn({ msg: 'rollback refused', conflicts: conflicts.length });
        throw refuse(msg, { conflicts: conflicts.map((c) => c.key) });
      }
      restoredRows = restored;
    } else {
      await undoOneByOne(existing, target, actions, deps);
    }
    const run = await deps.store.finishRollback(journalId, 'done', null, deps.clock.now());
    log.info({ msg: 'repair rolled back', undone: actions.length, restoredRows });
    return {
      journalId,
      check: existing.check,
      status: 'rolled-back',
      undone: actions.length,
      restoredRows,
      run,
    };
  } catch (err) {
    const current = await deps.store.getRun(journalId);
    if (current?.rollbackStatus === 'running') {
      await deps.store.finishRollback(journalId, 'failed', (err as Error).message, deps.clock.now());
    }
    throw err;
  }
}

/**
 * HTTP and function runs: the undo per repaired action, newest first, each
 * marked undone as it succeeds — a rollback retried after one failed skips
 * what it already undid instead of calling the undo twice.
 */
async function undoOneByOne(
  run: RepairRun,
  target: RollbackTarget,
  actions: readonly RepairAction[],
  deps: { store: RepairStore; clock: Clock },
) {
  const action = target.repair?.action;
  for (const a of [...actions].reverse()) {
    if (a.rolledBackAt !== null) continue;
    if (action?.kind === 'http' && action.undo && a.change.kind === 'http') {
      const vars = { ...a.change.finding, key: a.key, response: a.change.response };
      await sendHttpCall(action.undo, vars, action.timeoutMs);
    } else if (action?.kind === 'function' && action.undo && a.change.kind === 'function') {
      await action.undo({
        check: run.check,
        key: a.key,
        finding: a.change.finding,
        signal: AbortSignal.timeout(60_000),
        result: (a.change.result ?? undefined) as Record<string, unknown> | undefined,
      });
    } else continue;
    await deps.store.markActionUndone(run.id, a.seq, deps.clock.now());
  }
}

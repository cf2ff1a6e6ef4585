import type { RepairAction, RepairRun } from '../repair-journal.js';

type Row = Record<string, unknown>;

export const RUN_COLUMNS = `id, check_name, kind, status, batch_size, max_findings, keys, planned, batches, actor,
  repaired, unchanged, fixed_meanwhile, failed, batches_done, error, started_at, finished_at,
  rollback_status, rollback_at, rollback_error`;

export const ACTION_COLUMNS = 'run_id, seq, batch, finding_key, outcome, change, error, at, rolled_back_at';

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toRun(r: Row): RepairRun {
  return {
    id: num(r.id),
    check: String(r.check_name),
    kind: r.kind as RepairRun['kind'],
    status: r.status as RepairRun['status'],
    batchSize: num(r.batch_size),
    max: num(r.max_findings),
    keys: r.keys === null || r.keys === undefined ? null : (JSON.parse(String(r.keys)) as string[]),
    planned: num(r.planned),
    batches: num(r.batches),
    actor: String(r.actor),
    repaired: num(r.repaired),
    unchanged: num(r.unchanged),
    fixedMeanwhile: num(r.fixed_meanwhile),
    failed: num(r.failed),
    batchesDone: num(r.batches_done),
    error: strOrNull(r.error),
    startedAt: num(r.started_at),
    finishedAt: numOrNull(r.finished_at),
    rollbackStatus: (r.rollback_status ?? null) as RepairRun['rollbackStatus'],
    rollbackAt: numOrNull(r.rollback_at),
    rollbackError: strOrNull(r.rollback_error),
  };
}

export function toAction(r: Row): RepairAction {
  return {
    runId: num(r.run_id),
    seq: num(r.seq),
    batch: num(r.batch),
    key: String(r.finding_key),
    outcome: r.outcome as RepairAction['outcome'],
    change: JSON.parse(String(r.change)) as RepairAction['change'],
    error: strOrNull(r.error),
    at: num(r.at),
    rolledBackAt: numOrNull(r.rolled_back_at),
  };
}

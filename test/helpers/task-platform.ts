import type { CheckQueryable } from '../../src/checks/connections/check-connection.js';
import { sqlDialect } from '../../src/checks/sql/sql-dialect.js';
import { TIMESTAMP_TYPE } from './checks-team-databases.js';

/** The task-platform team's tables (seed 001): tasks reaching a status, and their outputs. */
export interface TaskRow {
  id: number;
  status: 'SUCCESS' | 'FAILED' | 'RUNNING';
  finishedAt: number;
}
export interface OutputRow {
  id: number;
  taskId: number;
  createdAt: number;
}

export async function createTaskTables(db: CheckQueryable): Promise<void> {
  const ts = TIMESTAMP_TYPE[db.dialect];
  await db.query(
    `CREATE TABLE tasks (id integer PRIMARY KEY, status varchar(16) NOT NULL, finished_at ${ts} NOT NULL)`,
  );
  await db.query(
    `CREATE TABLE task_outputs (id integer PRIMARY KEY, task_id integer NOT NULL, created_at ${ts} NOT NULL)`,
  );
  await db.query('CREATE INDEX task_outputs_task ON task_outputs (task_id)');
  await db.query('CREATE INDEX tasks_finished ON tasks (finished_at)');
}

/** Inserts rows in multi-row statements of `chunk` rows. */
export async function insertRows(
  db: CheckQueryable,
  table: 'tasks' | 'task_outputs',
  rows: readonly (TaskRow | OutputRow)[],
  chunk = 500,
): Promise<void> {
  const d = sqlDialect(db.dialect);
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const values: unknown[] = [];
    const tuples = part.map((r) => {
      const cells =
        'status' in r
          ? [r.id, r.status, d.timestampValue(r.finishedAt)]
          : [r.id, r.taskId, d.timestampValue(r.createdAt)];
      const marks = cells.map((v) => {
        values.push(v);
        return d.param(values.length);
      });
      return `(${marks.join(', ')})`;
    });
    const cols = table === 'tasks' ? '(id, status, finished_at)' : '(id, task_id, created_at)';
    await db.query(`INSERT INTO ${table} ${cols} VALUES ${tuples.join(', ')}`, values);
  }
}

/**
 * A day of the platform from `base`: 240 tasks in the window [base, base + 24h)
 * (every 10th FAILED, every 10th+5 RUNNING, the rest SUCCESS), 10 SUCCESS tasks
 * before and 10 after the window with no outputs, outputs for SUCCESS tasks
 * with spread delays (some late, some tasks with two outputs), none for every
 * 13th, and outputs for some FAILED tasks (they must not count).
 */
export function taskPlatformDay(base: number): { tasks: TaskRow[]; outputs: OutputRow[] } {
  const tasks: TaskRow[] = [];
  const outputs: OutputRow[] = [];
  let outputId = 1;
  for (let i = 1; i <= 240; i++) {
    const status = i % 10 === 0 ? 'FAILED' : i % 10 === 5 ? 'RUNNING' : 'SUCCESS';
    const finishedAt = base + i * 6 * 60_000 - 1;
    tasks.push({ id: i, status, finishedAt });
    if (status === 'SUCCESS' && i % 13 !== 0) {
      const delay = ((i * 7919) % 1800) * 1000 + (i % 7) * 13;
      outputs.push({ id: outputId++, taskId: i, createdAt: finishedAt + delay });
      if (i % 17 === 0)
        outputs.push({ id: outputId++, taskId: i, createdAt: finishedAt + delay + 3_600_000 });
    }
    if (status === 'FAILED' && i % 20 === 0)
      outputs.push({ id: outputId++, taskId: i, createdAt: finishedAt + 5000 });
  }
  for (let j = 1; j <= 10; j++) {
    tasks.push({ id: 1000 + j, status: 'SUCCESS', finishedAt: base - j * 60_000 });
    tasks.push({ id: 2000 + j, status: 'SUCCESS', finishedAt: base + 86_400_000 + j * 60_000 });
  }
  return { tasks, outputs };
}

/** Nearest-rank percentile: the smallest value with at least `p` of the values at or below it. */
export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.ceil(p * sorted.length) - 1];
}

/** What a consistency check over [from, to) must find, computed here from the rows. */
export function expectedConsistency(
  tasks: readonly TaskRow[],
  outputs: readonly OutputRow[],
  from: number,
  to: number,
  lateAfterMs: number,
) {
  const first = new Map<number, number>();
  for (const o of outputs) first.set(o.taskId, Math.min(first.get(o.taskId) ?? Infinity, o.createdAt));
  const parents = tasks.filter((t) => t.status === 'SUCCESS' && t.finishedAt >= from && t.finishedAt < to);
  const missing = parents.filter((t) => !first.has(t.id)).map((t) => String(t.id));
  const delays = parents
    .filter((t) => first.has(t.id))
    .map((t) => first.get(t.id)! - t.finishedAt)
    .sort((a, b) => a - b);
  return {
    parents: parents.length,
    missing,
    p50: nearestRank(delays, 0.5),
    p95: nearestRank(delays, 0.95),
    max: delays.at(-1),
    late: delays.filter((d) => d > lateAfterMs).length,
  };
}

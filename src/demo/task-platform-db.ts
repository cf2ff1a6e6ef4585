import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** The demo's task-platform database file, beside the config (its connection is `task-platform`). */
export const TASK_PLATFORM_FILE = 'task-platform.db';

/**
 * Writes the task-platform team's database for the demo (seed 001): a task
 * every 2 minutes over the 24 hours before `nowMs`, most reaching SUCCESS;
 * their outputs usually arrive within seconds, some late (over 10 minutes),
 * and about 1 in 14 never arrives — so the consistency check is degraded,
 * with findings a repair can fix. Recreated on every demo run.
 */
export function writeTaskPlatformDb(dir: string, nowMs: number): { tasks: number; missing: number } {
  const file = join(dir, TASK_PLATFORM_FILE);
  rmSync(file, { force: true });
  const db = new Database(file);
  try {
    db.exec(`
      CREATE TABLE tasks (id INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL,
        created_at TEXT NOT NULL, finished_at TEXT);
      CREATE TABLE task_outputs (id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL, result TEXT NOT NULL,
        created_at TEXT NOT NULL);
      CREATE INDEX task_outputs_task ON task_outputs (task_id);
      CREATE INDEX tasks_finished ON tasks (finished_at);
    `);
    const task = db.prepare(
      'INSERT INTO tasks (id, name, status, created_at, finished_at) VALUES (?, ?, ?, ?, ?)',
    );
    const output = db.prepare('INSERT INTO task_outputs (task_id, result, created_at) VALUES (?, ?, ?)');
    const iso = (ms: number) => new Date(ms).toISOString();
    let tasks = 0;
    let missing = 0;
    db.transaction(() => {
      const step = 2 * 60_000;
      const start = nowMs - 24 * 3_600_000;
      for (let i = 1, t = start + step; t < nowMs - 60_000; i++, t += step) {
        const status = i % 11 === 0 ? 'FAILED' : i % 29 === 0 ? 'RUNNING' : 'SUCCESS';
        task.run(i, `render-${i}`, status, iso(t - 90_000), status === 'RUNNING' ? null : iso(t));
        tasks++;
        if (status !== 'SUCCESS') continue;
        if (i % 14 === 0) {
          missing++;
          continue;
        }
        // Most within a minute, every 9th between 10 and 25 minutes late.
        const delay = i % 9 === 0 ? 600_000 + ((i * 7_919) % 900_000) : 500 + ((i * 2_971) % 60_000);
        output.run(i, `s3://outputs/render-${i}.json`, iso(t + delay));
      }
    })();
    return { tasks, missing };
  } finally {
    db.close();
  }
}

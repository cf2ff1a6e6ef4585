// The volume and sql check kinds on the team's database as PostgreSQL, MariaDB and SQLite, through the
// checks module as serve runs it: rows per hour against a fixed range (an empty hour and a burst are
// the findings), a findings query scored against its total, a query returning the score itself, and
// a score query that answers nonsense (an error run saying so).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checksModule } from '../src/checks/checks-module.js';
import type { Checks } from '../src/checks/checks-runtime.js';
import { openCheckConnection } from '../src/checks/connections/open-check-connection.js';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { TEAM_DATABASES } from './helpers/checks-team-databases.js';
import { createTaskTables, insertRows, type TaskRow } from './helpers/task-platform.js';
import { tempDir } from './helpers/temp-dir.js';

const BASE = Date.UTC(2026, 4, 4);
const HOUR = 3_600_000;
/** Rows per hour over ten hours: hour 5 is empty, hour 8 a burst. */
const PER_HOUR = [5, 5, 5, 5, 5, 0, 5, 5, 12, 5];
const TASKS: TaskRow[] = PER_HOUR.flatMap((n, h) =>
  Array.from({ length: n }, (_, i) => ({
    id: h * 100 + i + 1,
    // Every fifth task of an hour failed.
    status: i % 5 === 4 ? ('FAILED' as const) : ('SUCCESS' as const),
    finishedAt: BASE + h * HOUR + i * 60_000,
  })),
);
const FAILED = TASKS.filter((t) => t.status === 'FAILED');

for (const team of TEAM_DATABASES) {
  describe(`volume and sql checks on ${team.dialect}`, { skip: team.skip }, () => {
    const tmp = tempDir();
    let drop: (() => Promise<void>) | undefined;
    let engine: Engine;
    let checks: Checks;
    const window = { fromMs: BASE, toMs: BASE + 10 * HOUR, trigger: 'manual' as const };

    before(async () => {
      const made = await team.create();
      drop = made.drop;
      const config = compileConfig(
        {
          store: { sqlite: `${tmp.dir}/gapwarden.db` },
          server: { enabled: false },
          datasets: {},
          connections: { app: { ...made.config, writable: true } },
          checks: {
            'tasks-per-hour': {
              kind: 'volume',
              connection: 'app',
              table: 'tasks',
              time: 'finished_at',
              bucket: '1h',
              expect: { min: 3, max: 10 },
            },
            'failed-tasks': {
              kind: 'sql',
              connection: 'app',
              // `key` is a reserved word on MariaDB: the finding column is named instead.
              query: `SELECT id AS task_id, status FROM tasks WHERE status = 'FAILED' AND finished_at >= :from AND finished_at < :to`,
              key: 'task_id',
              total: 'SELECT count(*) FROM tasks WHERE finished_at >= :from AND finished_at < :to',
            },
            'success-share': {
              kind: 'sql',
              connection: 'app',
              returns: 'score',
              query: `SELECT 100.0 * sum(CASE WHEN status = 'SUCCESS' THEN 1 ELSE 0 END) / count(*) AS score FROM tasks`,
            },
            'no-score': {
              kind: 'sql',
              connection: 'app',
              returns: 'score',
              query: 'SELECT id AS score FROM tasks',
            },
          },
        },
        { env: {} },
      );
      const admin = openCheckConnection(config.checks.connections[0]!);
      await createTaskTables(admin);
      await insertRows(admin, 'tasks', TASKS);
      await admin.close();
      engine = createEngine({ config, logger: silentLogger });
      await engine.open();
      checks = engine.module(checksModule);
    });
    after(async () => {
      await engine?.stop();
      await drop?.();
      tmp.cleanup();
    });

    it('volume: counts rows per hour from the window start; the empty hour and the burst are the findings', async () => {
      const run = await checks.run('tasks-per-hour', window);
      assert.equal(run.status, 'degraded', run.error ?? '');
      assert.equal(run.total, 10, 'ten hourly buckets');
      assert.equal(run.findings, 2);
      assert.equal(run.score, 80);
      assert.deepEqual(
        run.sample.map((f) => [f.key, Number(f.fields.rows)]),
        [
          [new Date(BASE + 5 * HOUR).toISOString(), 0],
          [new Date(BASE + 8 * HOUR).toISOString(), 12],
        ],
      );
    });

    it('sql findings: each row a finding named by its key, scored against the total', async () => {
      const run = await checks.run('failed-tasks', window);
      assert.equal(run.error, undefined);
      assert.equal(run.findings, FAILED.length);
      assert.equal(run.total, TASKS.length);
      const expected = 100 * (1 - FAILED.length / TASKS.length);
      assert.ok(Math.abs((run.score ?? -1) - expected) < 0.01, `score ${run.score}, expected ${expected}`);
      assert.deepEqual(
        run.sample.map((f) => Number(f.key)).sort((a, b) => a - b),
        FAILED.map((t) => t.id),
      );
      assert.equal(run.sample[0]?.fields.status, 'FAILED');
    });

    it('sql score: the query returns the score; one that does not is an error run saying so', async () => {
      const run = await checks.run('success-share', window);
      const expected = (100 * (TASKS.length - FAILED.length)) / TASKS.length;
      assert.ok(Math.abs((run.score ?? -1) - expected) < 0.01, `score ${run.score}, expected ${expected}`);
      const bad = await checks.run('no-score', window);
      assert.equal(bad.status, 'error');
      assert.match(
        bad.error ?? '',
        /expects its query to return one row with a `score` column .* it returned 52 row\(s\)/,
      );
    });
  });
}

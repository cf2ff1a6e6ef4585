// The deep profile breaks its 14-day window down by local day (the two-week trend of seed 001 in one
// run), in the check's time zone; the trend groups kept runs by day. SQLite team database.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checksModule } from '../src/checks/checks-module.js';
import type { Checks } from '../src/checks/checks-runtime.js';
import { openCheckConnection } from '../src/checks/connections/open-check-connection.js';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createTaskTables, insertRows, type TaskRow } from './helpers/task-platform.js';
import { tempDir } from './helpers/temp-dir.js';

const DAY = 86_400_000;
/** Local days in Asia/Shanghai (UTC+8, no DST) as YYYY-MM-DD. */
const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

describe('the deep profile: a per-day trend in one run', () => {
  const tmp = tempDir();
  let engine: Engine;
  let checks: Checks;
  // Noon (Shanghai) three and two days ago: ten tasks each; all outputs on the first day, half on the second.
  const now = Date.now();
  const noon = (daysAgo: number) => {
    const midnight = Date.parse(`${shanghaiDay(now - daysAgo * DAY)}T00:00:00+08:00`);
    return midnight + 12 * 3_600_000;
  };
  const days = [noon(3), noon(2)];

  before(async () => {
    const app = join(tmp.dir, 'app.db');
    writeFileSync(app, '');
    const config = compileConfig(
      {
        store: { sqlite: join(tmp.dir, 'gapwarden.db') },
        server: { enabled: false },
        datasets: {},
        connections: { app: { sqlite: app, writable: true } },
        checks: {
          outputs: {
            kind: 'consistency',
            connection: 'app',
            timezone: 'Asia/Shanghai',
            parents: { table: 'tasks', key: 'id', time: 'finished_at', where: "status = 'SUCCESS'" },
            children: { table: 'task_outputs', key: 'task_id', time: 'created_at' },
          },
        },
      },
      { env: {} },
    );
    const admin = openCheckConnection(config.checks.connections[0]!);
    await createTaskTables(admin);
    const tasks: TaskRow[] = days.flatMap((at, d) =>
      Array.from({ length: 10 }, (_, i) => ({
        id: d * 100 + i + 1,
        status: 'SUCCESS' as const,
        finishedAt: at + i * 60_000,
      })),
    );
    await insertRows(admin, 'tasks', tasks);
    await insertRows(
      admin,
      'task_outputs',
      tasks
        .filter((t) => t.id < 100 || t.id % 2 === 0)
        .map((t) => ({ id: t.id, taskId: t.id, createdAt: t.finishedAt + 30_000 })),
    );
    await admin.close();
    engine = createEngine({ config, logger: silentLogger });
    await engine.open();
    checks = engine.module(checksModule);
  });
  after(async () => {
    await engine?.stop();
    tmp.cleanup();
  });

  it('scores each local day of the 14-day window, and the trend keeps the run under its day', async () => {
    const run = await checks.run('outputs', { profile: 'deep', trigger: 'manual' });
    assert.equal(run.profile, 'deep');
    assert.ok(run.toMs - run.fromMs === 14 * DAY, 'the deep window is 14 days');
    assert.ok(run.days.length >= 14, `${run.days.length} days`);
    const byDay = new Map(run.days.map((d) => [d.day, d]));
    assert.deepEqual(
      days.map((at) => {
        const d = byDay.get(shanghaiDay(at));
        return [d?.total, d?.findings, d?.score];
      }),
      [
        [10, 0, 100],
        [10, 5, 50],
      ],
    );
    assert.equal(run.findings, 5);
    const trend = await checks.trend('outputs', 3);
    const today = trend.at(-1);
    assert.equal(today?.day, shanghaiDay(run.toMs - 1));
    assert.equal(today?.runs, 1);
    assert.equal(today?.lastScore, run.score);
  });
});

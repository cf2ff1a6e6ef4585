// Health and level at each threshold boundary (seed 001: healthy ≥ 95, degraded 80–95, unhealthy < 80;
// low ≥ 95, medium 80–95, high 50–80, critical < 50), from a real consistency check on SQLite, and
// thresholds configured per check.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checksModule } from '../src/checks/checks-module.js';
import type { Checks } from '../src/checks/checks-runtime.js';
import { openCheckConnection } from '../src/checks/connections/open-check-connection.js';
import { healthOf, levelOf } from '../src/checks/score/score-scale.js';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { ConfigError } from '../src/internal/errors.js';
import { silentLogger } from '../src/internal/logger.js';
import { createTaskTables, insertRows, type OutputRow, type TaskRow } from './helpers/task-platform.js';
import { tempDir } from './helpers/temp-dir.js';

const DEFAULT = { healthy: 95, degraded: 80, low: 95, medium: 80, high: 50 };
const side = {
  parents: { table: 'tasks', key: 'id', time: 'finished_at', where: "status = 'SUCCESS'" },
  children: { table: 'task_outputs', key: 'task_id', time: 'created_at' },
};

describe('health and level from the score', () => {
  it('puts each threshold on the better side and just below it on the worse', () => {
    const cases: [number, string, string][] = [
      [100, 'healthy', 'low'],
      [95, 'healthy', 'low'],
      [94.9999, 'degraded', 'medium'],
      [80, 'degraded', 'medium'],
      [79.9999, 'unhealthy', 'high'],
      [50, 'unhealthy', 'high'],
      [49.9999, 'unhealthy', 'critical'],
      [0, 'unhealthy', 'critical'],
    ];
    for (const [score, health, level] of cases) {
      assert.equal(healthOf(score, DEFAULT), health, `health of ${score}`);
      assert.equal(levelOf(score, DEFAULT), level, `level of ${score}`);
    }
  });
});

describe('scores of a consistency check at the boundaries (SQLite)', () => {
  const tmp = tempDir();
  let engine: Engine;
  let checks: Checks;
  const BASE = Date.UTC(2026, 0, 1);
  // Window w holds `parents[w]` SUCCESS tasks of which `missing[w]` have no output.
  const windows = [
    { parents: 20, missing: 1 }, // 95%
    { parents: 20, missing: 2 }, // 90%
    { parents: 5, missing: 1 }, // 80%
    { parents: 100, missing: 21 }, // 79%
    { parents: 2, missing: 1 }, // 50%
    { parents: 100, missing: 51 }, // 49%
  ];
  const HOUR = 3_600_000;

  before(async () => {
    const file = join(tmp.dir, 'app.db');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, '');
    const config = compileConfig(
      {
        store: { sqlite: join(tmp.dir, 'gapwarden.db') },
        datasets: {},
        connections: { app: { sqlite: file }, writer: { sqlite: file, writable: true } },
        checks: {
          outputs: { kind: 'consistency', connection: 'app', ...side },
          strict: {
            kind: 'consistency',
            connection: 'app',
            ...side,
            health: { healthy: 99, degraded: 90 },
            levels: { low: 99, medium: 90, high: 79 },
          },
        },
      },
      { env: {} },
    );
    const admin = openCheckConnection(config.checks.connections.find((c) => c.name === 'writer')!);
    await createTaskTables(admin);
    const tasks: TaskRow[] = [];
    const outputs: OutputRow[] = [];
    let id = 1;
    windows.forEach((w, i) => {
      for (let j = 0; j < w.parents; j++, id++) {
        const finishedAt = BASE + i * HOUR + j * 1000;
        tasks.push({ id, status: 'SUCCESS', finishedAt });
        if (j >= w.missing) outputs.push({ id, taskId: id, createdAt: finishedAt + 500 });
      }
    });
    await insertRows(admin, 'tasks', tasks);
    await insertRows(admin, 'task_outputs', outputs);
    await admin.close();
    engine = createEngine({ config, logger: silentLogger });
    await engine.open();
    checks = engine.module(checksModule);
  });
  after(async () => {
    await checks?.stop();
    await engine?.stop();
    tmp.cleanup();
  });

  const runWindow = (check: string, i: number) =>
    checks.run(check, { fromMs: BASE + i * 3_600_000, toMs: BASE + (i + 1) * 3_600_000, trigger: 'manual' });

  it('gives the seed defaults at 95, 90, 80, 79, 50 and 49 percent', async () => {
    const got = [];
    for (let i = 0; i < windows.length; i++) {
      const r = await runWindow('outputs', i);
      got.push([r.score, r.status, r.level]);
    }
    assert.deepEqual(got, [
      [95, 'healthy', 'low'],
      [90, 'degraded', 'medium'],
      [80, 'degraded', 'medium'],
      [79, 'unhealthy', 'high'],
      [50, 'unhealthy', 'high'],
      [49, 'unhealthy', 'critical'],
    ]);
  });

  it('uses the thresholds a check configures instead', async () => {
    const at95 = await runWindow('strict', 0);
    assert.deepEqual([at95.status, at95.level], ['degraded', 'medium']);
    const at79 = await runWindow('strict', 3);
    assert.deepEqual([at79.status, at79.level], ['unhealthy', 'high']);
    const at50 = await runWindow('strict', 4);
    assert.deepEqual([at50.status, at50.level], ['unhealthy', 'critical']);
  });
});

describe('check definitions that cannot work are refused at config load', () => {
  const load = (connections: Record<string, unknown>, checks: Record<string, unknown>) => {
    try {
      compileConfig(
        { datasets: {}, connections, checks },
        { env: { APP_DB: 'postgres://u:s3cr3t-pass@db:5432/app' } },
      );
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.issues;
    }
  };

  it('names the field: unknown connection, both table and query, thresholds out of order, no database', () => {
    const issues = load(
      { app: { sqlite: 'app.db' }, none: {} },
      {
        a: { kind: 'consistency', connection: 'nope', ...side },
        b: {
          kind: 'consistency',
          connection: 'app',
          parents: { ...side.parents, query: 'SELECT * FROM tasks' },
          children: side.children,
        },
        c: { kind: 'consistency', connection: 'app', ...side, health: { healthy: 80, degraded: 90 } },
      },
    );
    const paths = issues.map((i) => i.path);
    assert.ok(paths.includes('checks.a.connection'), paths.join(', '));
    assert.ok(paths.includes('checks.b.parents'), paths.join(', '));
    assert.ok(paths.includes('checks.c.health'), paths.join(', '));
    assert.ok(paths.includes('connections.none'), paths.join(', '));
  });

  it('never echoes a connection URL taken from the environment', () => {
    const issues = load({ app: { mysql: '${env:APP_DB}' } }, {});
    assert.deepEqual(
      issues.map((i) => i.path),
      ['connections.app.mysql'],
    );
    assert.doesNotMatch(JSON.stringify(issues), /s3cr3t-pass/);
  });

  it('refuses a SQL repair through a read-only connection', () => {
    const issues = load(
      { app: { sqlite: 'app.db' } },
      {
        a: {
          kind: 'consistency',
          connection: 'app',
          ...side,
          repair: {
            sql: {
              statement: 'INSERT INTO task_outputs (task_id, created_at) VALUES ({{key}}, {{now}})',
              table: 'task_outputs',
              keyColumn: 'task_id',
            },
          },
        },
      },
    );
    assert.ok(
      issues.some((i) => i.path === 'checks.a.repair.sql.connection' && /read-only/.test(i.found)),
      JSON.stringify(issues),
    );
  });
});

// `resultsDir`: every run of a check is appended as one JSON line to <dir>/<check>/<local day>.jsonl,
// error runs included; a folder that cannot be written is logged and the run is still kept.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checksModule } from '../src/checks/checks-module.js';
import type { Checks } from '../src/checks/checks-runtime.js';
import { openCheckConnection } from '../src/checks/connections/open-check-connection.js';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createTaskTables, insertRows } from './helpers/task-platform.js';
import { tempDir } from './helpers/temp-dir.js';

const DAY = '2026-03-02';
const FROM = Date.parse(`${DAY}T00:00:00Z`);
const TO = FROM + 3_600_000;

describe('check runs appended to daily JSON Lines files', () => {
  const tmp = tempDir();
  let engine: Engine;
  let checks: Checks;

  before(async () => {
    const app = join(tmp.dir, 'app.db');
    writeFileSync(app, '');
    // A file where the second check's folder should be: it cannot be created.
    writeFileSync(join(tmp.dir, 'blocked'), '');
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
            parents: { table: 'tasks', key: 'id', time: 'finished_at', where: "status = 'SUCCESS'" },
            children: { table: 'task_outputs', key: 'task_id', time: 'created_at' },
            resultsDir: 'results',
          },
          broken: {
            kind: 'sql',
            connection: 'app',
            query: 'SELECT id AS key FROM no_such_table',
            resultsDir: 'results',
          },
          unwritable: {
            kind: 'sql',
            connection: 'app',
            query: 'SELECT id AS key FROM tasks WHERE 1 = 0',
            resultsDir: 'blocked/sub',
          },
        },
      },
      { baseDir: tmp.dir, env: {} },
    );
    const admin = openCheckConnection(config.checks.connections[0]!);
    await createTaskTables(admin);
    await insertRows(
      admin,
      'tasks',
      [1, 2, 3, 4].map((id) => ({ id, status: 'SUCCESS' as const, finishedAt: FROM + id * 60_000 })),
    );
    await insertRows(
      admin,
      'task_outputs',
      [1, 2, 3].map((id) => ({ id, taskId: id, createdAt: FROM + id * 60_000 + 5_000 })),
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

  const lines = (check: string) =>
    readFileSync(join(tmp.dir, 'results', check, `${DAY}.jsonl`), 'utf8')
      .trimEnd()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            id: number;
            status: string;
            score: number | null;
            findings: number;
            error: string | null;
          },
      );

  it('appends each run, as the API shows it, to the file of its local day', async () => {
    const first = await checks.run('outputs', { fromMs: FROM, toMs: TO, trigger: 'manual' });
    const second = await checks.run('outputs', { fromMs: FROM, toMs: TO, trigger: 'manual' });
    assert.deepEqual(
      lines('outputs').map((l) => [l.id, l.status, l.score, l.findings]),
      [
        [first.id, 'unhealthy', 75, 1],
        [second.id, 'unhealthy', 75, 1],
      ],
    );
  });

  it('writes error runs too, with the database message', async () => {
    await checks.run('broken', { fromMs: FROM, toMs: TO, trigger: 'manual' });
    const [line] = lines('broken');
    assert.equal(line?.status, 'error');
    assert.match(line?.error ?? '', /no such table/);
  });

  it('keeps the run when its folder cannot be written', async () => {
    const run = await checks.run('unwritable', { fromMs: FROM, toMs: TO, trigger: 'manual' });
    assert.equal(run.status, 'healthy');
    const kept = await checks.store.listRuns('unwritable', { limit: 5 });
    assert.deepEqual(
      kept.map((r) => r.id),
      [run.id],
    );
  });
});

// Check results feed the alert rules through the event bus: a degraded run fires a `check` rule at a
// real webhook receiver, a run that passes resolves it, and an `error` run (its query failed) fires too.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alertsModule } from '../src/alerts/alerts-module.js';
import type { Alerts } from '../src/alerts/alerts-runtime.js';
import { checksModule } from '../src/checks/checks-module.js';
import type { Checks } from '../src/checks/checks-runtime.js';
import type { CheckConnection } from '../src/checks/connections/check-connection.js';
import { openCheckConnection } from '../src/checks/connections/open-check-connection.js';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { type AlertReceiver, startAlertReceiver } from './helpers/alert-receiver.js';
import { createTaskTables, insertRows, type TaskRow } from './helpers/task-platform.js';
import { tempDir } from './helpers/temp-dir.js';

const BASE = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const side = {
  parents: { table: 'tasks', key: 'id', time: 'finished_at', where: "status = 'SUCCESS'" },
  children: { table: 'task_outputs', key: 'task_id', time: 'created_at' },
};

describe('check results feed the alert rules', () => {
  const tmp = tempDir();
  let receiver: AlertReceiver;
  let engine: Engine;
  let checks: Checks;
  let alerts: Alerts;
  let admin: CheckConnection;
  const tasks: TaskRow[] = Array.from({ length: 10 }, (_, i) => ({
    id: i + 1,
    status: 'SUCCESS' as const,
    finishedAt: BASE + i * 60_000,
  }));

  before(async () => {
    receiver = await startAlertReceiver();
    const file = join(tmp.dir, 'app.db');
    writeFileSync(file, '');
    const config = compileConfig(
      {
        store: { sqlite: join(tmp.dir, 'gapwarden.db') },
        server: { enabled: false },
        datasets: {},
        connections: { app: { sqlite: file }, writer: { sqlite: file, writable: true } },
        checks: {
          outputs: { kind: 'consistency', connection: 'app', ...side },
          broken: { kind: 'sql', connection: 'app', query: 'SELECT id AS key FROM no_such_table' },
        },
        alerts: {
          receivers: { hook: { channel: 'webhook', url: receiver.url } },
          groupWait: { P0: 0, P1: 0, P2: 0 },
          rules: {
            'outputs-missing': { severity: 'P1', check: { checks: ['out*'] } },
            'check-broken': { severity: 'P2', check: { checks: ['broken'], on: ['error'] } },
          },
        },
      },
      { env: {} },
    );
    admin = openCheckConnection(config.checks.connections.find((c) => c.name === 'writer')!);
    await createTaskTables(admin);
    await insertRows(admin, 'tasks', tasks);
    // 8 of 10 outputs: 80% — degraded.
    await insertRows(
      admin,
      'task_outputs',
      tasks.slice(0, 8).map((t) => ({ id: t.id, taskId: t.id, createdAt: t.finishedAt + 1000 })),
    );
    engine = createEngine({ config, logger: silentLogger });
    await engine.open();
    checks = engine.module(checksModule);
    alerts = engine.module(alertsModule);
  });
  after(async () => {
    await engine?.stop();
    await admin?.close();
    await receiver?.close();
    tmp.cleanup();
  });

  const open = async () =>
    (await alerts.store.openAlerts()).filter((a) => a.state === 'firing').map((a) => a.rule);

  it('fires on a degraded run, naming the check, its score and findings', async () => {
    const run = await checks.run('outputs', { fromMs: BASE, toMs: BASE + HOUR, trigger: 'manual' });
    assert.equal(run.status, 'degraded');
    const result = await alerts.evaluate();
    assert.equal(result.opened, 1);
    await alerts.worker.drainOnce();
    const firing = receiver.posts.find((p) => p.body.kind === 'firing');
    const [alert] = (firing?.body.alerts ?? []) as { rule: string; summary: string; severity: string }[];
    assert.deepEqual([alert?.rule, alert?.severity], ['outputs-missing', 'P1']);
    assert.equal(alert?.summary, 'check outputs is degraded (level medium): score 80.00%, 2 findings');
    assert.deepEqual(await open(), ['outputs-missing']);
  });

  it('resolves when a run passes', async () => {
    await insertRows(
      admin,
      'task_outputs',
      tasks.slice(8).map((t) => ({ id: t.id, taskId: t.id, createdAt: t.finishedAt + 1000 })),
    );
    const run = await checks.run('outputs', { fromMs: BASE, toMs: BASE + HOUR, trigger: 'manual' });
    assert.equal(run.status, 'healthy');
    await alerts.evaluate();
    assert.deepEqual(await open(), []);
    await alerts.worker.drainOnce();
    assert.ok(receiver.posts.some((p) => p.body.kind === 'resolved'));
  });

  it('fires on an error run with the database message', async () => {
    const run = await checks.run('broken', { trigger: 'manual' });
    assert.equal(run.status, 'error');
    await alerts.evaluate();
    const [a] = (await alerts.store.openAlerts()).filter((x) => x.state === 'firing');
    assert.equal(a?.rule, 'check-broken');
    assert.match(a?.summary ?? '', /check broken could not run: no such table: no_such_table/);
  });
});

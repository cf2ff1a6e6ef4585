// The task-platform scenario from a YAML config, through the surfaces a person uses, on the team's
// database as PostgreSQL, MariaDB and SQLite: `check run` finds the SUCCESS tasks without output,
// `repair --dry-run --json` lists exactly them and changes nothing, `repair --json` writes them in
// batches, `journal --json` shows the run, `rollback --json` restores the exact prior rows and a second
// rollback is refused (exit 1, ROLLBACK_REFUSED). Then the same over HTTP on SQLite: the preview, the
// run behind the token, the journal, the repair metric and the rollback, refused (409) the second time.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import type { CheckConnection } from '../src/checks/connections/check-connection.js';
import { openCheckConnection } from '../src/checks/connections/open-check-connection.js';
import { loadConfig } from '../src/config/load-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { createMetrics } from '../src/server/metrics.js';
import { TEAM_DATABASES, type TeamDatabase } from './helpers/checks-team-databases.js';
import { runCli } from './helpers/cli.js';
import { createTaskTables, insertRows, type TaskRow } from './helpers/task-platform.js';
import { tempDir } from './helpers/temp-dir.js';

const TOKEN = 'repair-surfaces-token';
const NOW = Date.now();
/** SUCCESS tasks 1..12 finished over the last hour; the even ones have their output. Task 13 FAILED. */
const TASKS: TaskRow[] = Array.from({ length: 13 }, (_, i) => ({
  id: i + 1,
  status: i + 1 === 13 ? ('FAILED' as const) : ('SUCCESS' as const),
  finishedAt: NOW - 50 * 60_000 + i * 60_000,
}));
const MISSING = TASKS.filter((t) => t.status === 'SUCCESS' && t.id % 2 === 1).map((t) => String(t.id));

/** The repair statement in each dialect: writes the missing output (its id 1000 + the task id). */
function statement(dialect: TeamDatabase['dialect']): string {
  const k = dialect === 'postgres' ? '{{key}}::bigint' : '{{key}}';
  const now = dialect === 'postgres' ? '{{now}}::timestamptz' : '{{now}}';
  const from = dialect === 'mysql' ? ' FROM DUAL' : '';
  return (
    `INSERT INTO task_outputs (id, task_id, created_at) SELECT 1000 + ${k}, ${k}, ${now}${from} ` +
    `WHERE NOT EXISTS (SELECT 1 FROM task_outputs WHERE task_id = ${k})`
  );
}

function configYaml(dir: string, connection: Record<string, unknown>, dialect: TeamDatabase['dialect']) {
  return `store: { sqlite: ${JSON.stringify(join(dir, 'gapwarden.db'))} }
server: { enabled: false, token: ${TOKEN} }
log: { level: warn }
datasets: {}
connections:
  app: ${JSON.stringify({ ...connection, writable: true })}
checks:
  outputs:
    kind: consistency
    connection: app
    parents: { table: tasks, key: id, time: finished_at, where: "status = 'SUCCESS'" }
    children: { table: task_outputs, key: task_id, time: created_at }
    repair:
      sql:
        statement: ${JSON.stringify(statement(dialect))}
        table: task_outputs
        keyColumn: task_id
      batchSize: 4
`;
}

async function seed(db: CheckConnection): Promise<void> {
  await createTaskTables(db);
  await insertRows(db, 'tasks', TASKS);
  await insertRows(
    db,
    'task_outputs',
    TASKS.filter((t) => t.status === 'SUCCESS' && t.id % 2 === 0).map((t) => ({
      id: t.id,
      taskId: t.id,
      createdAt: t.finishedAt + 30_000,
    })),
  );
}

/** Every output row as text, in id order: what rollback must restore exactly. */
async function outputRows(db: CheckConnection): Promise<string[]> {
  const { rows } = await db.query('SELECT id, task_id, created_at FROM task_outputs ORDER BY id');
  return rows.map((r) => JSON.stringify([Number(r.id), Number(r.task_id), String(r.created_at)]));
}

const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

for (const team of TEAM_DATABASES) {
  describe(`the task-platform repair from the CLI on ${team.dialect}`, { skip: team.skip }, () => {
    const tmp = tempDir();
    const file = join(tmp.dir, 'gapwarden.yaml');
    let drop: (() => Promise<void>) | undefined;
    let db: CheckConnection;
    const cli = (...args: string[]) => runCli([...args, '--config', file]);

    before(async () => {
      const made = await team.create();
      drop = made.drop;
      writeFileSync(file, configYaml(tmp.dir, made.config, team.dialect));
      const config = await loadConfig({ config: file });
      db = openCheckConnection(config.checks.connections.find((c) => c.name === 'app')!);
      await seed(db);
    });
    after(async () => {
      await db?.close();
      await drop?.();
      tmp.cleanup();
    });

    it('finds the missing outputs, previews, repairs in batches, and rolls back exactly once', async () => {
      const ran = await cli('check', 'run', 'outputs', '--json');
      const { run } = json(ran.stdout) as { run: { status: string; total: number; findings: number } };
      assert.equal(run.total, 12, ran.stdout + ran.stderr);
      assert.equal(run.findings, MISSING.length);
      assert.equal(run.status, 'unhealthy', 'half the SUCCESS tasks lack their output: 50%');

      const before = await outputRows(db);
      const preview = await cli('repair', 'outputs', '--dry-run', '--json');
      assert.equal(preview.code, 0, preview.stderr);
      const dry = json(preview.stdout) as {
        status: string;
        planned: number;
        preview: Array<{ key: string }>;
      };
      assert.equal(dry.status, 'dry-run');
      assert.deepEqual(dry.preview.map((p) => p.key).sort(), [...MISSING].sort());
      assert.deepEqual(await outputRows(db), before, 'a dry run changed the database');

      const repaired = await cli('repair', 'outputs', '--json');
      assert.equal(repaired.code, 0, repaired.stderr);
      const report = json(repaired.stdout) as {
        status: string;
        journalId: number;
        batches: number;
        counts: { repaired: number; failed: number };
      };
      assert.equal(report.status, 'done');
      assert.equal(report.counts.repaired, MISSING.length);
      assert.equal(report.batches, 2, 'six findings in batches of four');
      const after = await cli('check', 'run', 'outputs', '--json');
      const passed = (json(after.stdout) as { run: { status: string; findings: number } }).run;
      assert.deepEqual([passed.status, passed.findings], ['healthy', 0], 'the check passes after the repair');

      const journal = json((await cli('journal', '--json')).stdout) as {
        runs: Array<{ id: number; status: string }>;
      };
      assert.deepEqual(
        journal.runs.map((r) => [r.id, r.status]),
        [[report.journalId, 'done']],
      );

      const rolled = await cli('rollback', String(report.journalId), '--json');
      assert.equal(rolled.code, 0, rolled.stderr);
      assert.equal((json(rolled.stdout) as { undone: number }).undone, MISSING.length);
      assert.deepEqual(await outputRows(db), before, 'rollback restores the exact prior rows');

      const again = await cli('rollback', String(report.journalId), '--json');
      assert.equal(again.code, 1);
      const err = json(again.stdout) as { error: { code: string; message: string } };
      assert.equal(err.error.code, 'ROLLBACK_REFUSED');
      assert.match(err.error.message, /already rolled back/);
      assert.deepEqual(await outputRows(db), before);
    });
  });
}

describe('the task-platform repair over HTTP', () => {
  const tmp = tempDir();
  const file = join(tmp.dir, 'gapwarden.yaml');
  const sqlite = TEAM_DATABASES.find((t) => t.dialect === 'sqlite')!;
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  let drop: (() => Promise<void>) | undefined;
  let db: CheckConnection;
  let engine: Engine;
  let app: Hono;

  before(async () => {
    const made = await sqlite.create();
    drop = made.drop;
    writeFileSync(file, configYaml(tmp.dir, made.config, 'sqlite'));
    const config = await loadConfig({ config: file });
    db = openCheckConnection(config.checks.connections.find((c) => c.name === 'app')!);
    await seed(db);
    engine = createEngine({ config, logger: silentLogger });
    await engine.open();
    app = createApp({
      engine,
      server: config.server,
      version: '0.0.0-test',
      metrics: createMetrics({ engine }),
    });
  });
  after(async () => {
    await engine?.stop();
    await db?.close();
    await drop?.();
    tmp.cleanup();
  });

  it('previews, repairs behind the token, journals, counts and rolls back once', async () => {
    const before = await outputRows(db);
    const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
      app.request(path, { method: 'POST', headers, body: JSON.stringify(body) });

    const preview = await post('/api/checks/outputs/repair/preview', {});
    assert.equal(preview.status, 200);
    const dry = (await preview.json()) as { planned: number; preview: Array<{ key: string }> };
    assert.deepEqual(dry.preview.map((p) => p.key).sort(), [...MISSING].sort());
    assert.deepEqual(await outputRows(db), before);

    const anonymous = await post('/api/checks/outputs/repair', {}, { 'content-type': 'application/json' });
    assert.equal(anonymous.status, 401, 'a repair needs the token');
    const bad = await post('/api/checks/outputs/repair', { batchSize: 0 });
    assert.equal(bad.status, 400, 'a batch size of 0 is refused');
    assert.deepEqual(await outputRows(db), before);

    const res = await post('/api/checks/outputs/repair', { batchSize: 5 });
    assert.equal(res.status, 200);
    const report = (await res.json()) as { journalId: number; batches: number; counts: { repaired: number } };
    assert.equal(report.counts.repaired, MISSING.length);
    assert.equal(report.batches, 2);

    const runs = (await (await app.request('/api/repairs?check=outputs')).json()) as {
      runs: Array<{ id: number; repaired: number }>;
    };
    assert.deepEqual(
      runs.runs.map((r) => [r.id, r.repaired]),
      [[report.journalId, MISSING.length]],
    );
    const entry = (await (await app.request(`/api/repairs/${report.journalId}`)).json()) as {
      actions: Array<{ key: string; outcome: string }>;
    };
    assert.deepEqual(entry.actions.map((a) => a.key).sort(), [...MISSING].sort());
    const metrics = await (await app.request('/metrics')).text();
    assert.match(
      metrics,
      new RegExp(
        `gapwarden_check_repair_findings_total\\{check="outputs",outcome="repaired"\\} ${MISSING.length}`,
      ),
    );

    const rolled = await post(`/api/repairs/${report.journalId}/rollback`, {});
    assert.equal(rolled.status, 200);
    assert.deepEqual(await outputRows(db), before, 'rollback restores the exact prior rows');
    const again = await post(`/api/repairs/${report.journalId}/rollback`, {});
    assert.equal(again.status, 409);
    const err = (await again.json()) as { error: { code: string } };
    assert.equal(err.error.code, 'ROLLBACK_REFUSED');
  });
});

// A check's `repair:` section: the schema accepts exactly one kind, and compiling refuses a SQL repair on a
// read-only connection, an unknown connection, a malformed template and a backfill without a dataset.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRepairSchema } from '../src/config/check-repairs-schema.js';
import { compileCheckRepair } from '../src/config/compile-check-repairs.js';
import { compileConfig } from '../src/config/compile-config.js';
import type { ConfigIssue } from '../src/internal/errors.js';

const SQL = {
  statement: 'INSERT INTO task_outputs (task_id, created_at) VALUES ({{key}}, {{now}})',
  table: 'task_outputs',
  keyColumn: 'task_id',
};
const connections = { app: { writable: true }, replica: {} };
const at = {
  path: 'checks.outputs',
  kind: 'consistency',
  connection: 'app',
  connections,
  datasets: ['draws'],
};

describe('repair config', () => {
  it('compiles a SQL repair on a writable connection with the default batch size and cap', () => {
    const issues: ConfigIssue[] = [];
    const r = compileCheckRepair(checkRepairSchema.parse({ sql: SQL }), at, issues);
    assert.deepEqual(issues, []);
    assert.equal(r?.batchSize, 500);
    assert.equal(r?.max, 10_000);
    assert.deepEqual(r?.action, { kind: 'sql', connection: 'app', ...SQL });
  });

  it('refuses a SQL repair on a read-only connection, naming the field to change', () => {
    const issues: ConfigIssue[] = [];
    const r = compileCheckRepair({ sql: SQL }, { ...at, connection: 'replica' }, issues);
    assert.equal(r, undefined);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.path, 'checks.outputs.repair.sql.connection');
    assert.match(issues[0]?.message ?? '', /mark connections\.replica writable/);
  });

  it('refuses an unknown connection, a malformed placeholder and a backfill without a dataset', () => {
    const issues: ConfigIssue[] = [];
    compileCheckRepair({ sql: { ...SQL, connection: 'nope' } }, at, issues);
    compileCheckRepair({ sql: { ...SQL, statement: 'DELETE FROM t WHERE k = {{key}' } }, at, issues);
    compileCheckRepair({ backfill: {} }, { ...at, kind: 'gaps' }, issues);
    assert.deepEqual(
      issues.map((i) => i.path),
      [
        'checks.outputs.repair.sql.connection',
        'checks.outputs.repair.sql.statement',
        'checks.outputs.repair.backfill.dataset',
      ],
    );
  });

  it('refuses a repair the check kind cannot run, naming what it can', () => {
    const issues: ConfigIssue[] = [];
    compileCheckRepair({ sql: SQL }, { ...at, kind: 'volume' }, issues);
    compileCheckRepair({ backfill: {} }, { ...at, dataset: 'draws' }, issues);
    compileCheckRepair({ sql: SQL }, { ...at, kind: 'gaps', dataset: 'draws' }, issues);
    assert.deepEqual(
      issues.map((i) => [i.path, i.expected]),
      [
        [
          'checks.outputs.repair',
          'no repair: section (repairs act on the findings of consistency and gaps checks)',
        ],
        ['checks.outputs.repair.backfill', 'one of sql, http, function for a consistency check'],
        ['checks.outputs.repair.sql', 'one of backfill, http, function for a gaps check'],
      ],
    );
    const ok: ConfigIssue[] = [];
    compileCheckRepair({ backfill: {} }, { ...at, kind: 'gaps', dataset: 'draws' }, ok);
    assert.deepEqual(ok, []);
  });

  it('the schema wants exactly one kind and functions for a function repair', () => {
    assert.match(
      JSON.stringify(checkRepairSchema.safeParse({}).error?.issues),
      /one of sql, http, backfill or function/,
    );
    assert.match(
      JSON.stringify(checkRepairSchema.safeParse({ sql: SQL, backfill: {} }).error?.issues),
      /exactly one kind; found sql and backfill/,
    );
    assert.equal(checkRepairSchema.safeParse({ function: { run: 'x' } }).success, false);
    assert.equal(checkRepairSchema.safeParse({ function: { run: () => undefined } }).success, true);
    const http = checkRepairSchema.parse({
      http: {
        url: 'http://127.0.0.1:1/fix/{{key}}',
        undo: { url: 'http://127.0.0.1:1/u', method: 'DELETE' },
      },
    });
    const issues: ConfigIssue[] = [];
    const r = compileCheckRepair(http, at, issues);
    assert.equal(r?.action.kind === 'http' && r.action.call.method, 'POST');
    assert.equal(r?.action.kind === 'http' && r.action.timeoutMs, 10_000);
  });

  it('loading a config with a write repair on a read-only connection fails, naming the connection', () => {
    const config = (writable: boolean) => ({
      datasets: {},
      connections: { app: { sqlite: '/tmp/app.db', writable } },
      checks: {
        outputs: {
          kind: 'consistency',
          connection: 'app',
          parents: { table: 'tasks', key: 'id', time: 'finished_at', where: "status = 'SUCCESS'" },
          children: { table: 'task_outputs', key: 'task_id', time: 'created_at' },
          repair: { sql: SQL },
        },
      },
    });
    assert.throws(
      () => compileConfig(config(false), { baseDir: '/tmp', env: {} }),
      (err: Error) =>
        err.name === 'ConfigError' &&
        /checks\.outputs\.repair\.sql\.connection: a SQL repair writes: mark connections\.app writable/.test(
          err.message,
        ),
    );
    const ok = compileConfig(config(true), { baseDir: '/tmp', env: {} });
    assert.equal(ok.checks.checks[0]?.repair?.action.kind, 'sql');
  });
});

// HTTP and function repairs against a real HTTP service on 127.0.0.1 (a task platform's "regenerate output"
// API): dry-run sends nothing; a run calls once per still-missing task, stops at the first failing call with
// what was done recorded; rollback makes the configured undo call with the repair's response; a second
// rollback is refused; a repair without undo cannot be rolled back.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type RepairTarget, runRepair } from '../src/checks/repair/repair-runner.js';
import { rollbackRun } from '../src/checks/repair/rollback-run.js';
import type { RepairStore } from '../src/checks/repair/store/repair-store.js';
import { repairStorePart } from '../src/checks/repair/store/repair-store-part.js';
import { checkRepairSchema } from '../src/config/check-repairs-schema.js';
import { type CompiledCheckRepair, compileCheckRepair } from '../src/config/compile-check-repairs.js';
import { systemClock } from '../src/internal/clock.js';
import { silentLogger } from '../src/internal/logger.js';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';

/** The platform: tasks 1..6 lack outputs; POST /tasks/:id/output makes one (500 for task 5), DELETE undoes it. */
interface Platform {
  outputs: Map<string, number>;
  calls: string[];
  failFor: Set<string>;
  /** Tasks whose undo (DELETE) answers 500. */
  failUndoFor: Set<string>;
  nextId: number;
}

function startPlatform(p: Platform): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    p.calls.push(`${req.method} ${req.url} ${body}`);
    const m = /^\/tasks\/(\d+)\/output(?:\/(\d+))?$/.exec(req.url ?? '');
    if (m && req.method === 'POST') {
      if (p.failFor.has(m[1]!)) {
        res.writeHead(500).end('generator unavailable');
        return;
      }
      const id = p.nextId++;
      p.outputs.set(m[1]!, id);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ outputId: id }));
    } else if (m && req.method === 'DELETE' && m[2]) {
      if (p.failUndoFor.has(m[1]!)) {
        res.writeHead(500).end('undo unavailable');
        return;
      }
      const ok = p.outputs.get(m[1]!) === Number(m[2]);
      if (ok) p.outputs.delete(m[1]!);
      res.writeHead(ok ? 204 : 404).end();
    } else res.writeHead(404).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}` });
    }),
  );
}

describe('HTTP and function repairs', () => {
  let dir: string;
  let store: Store;
  let journal: RepairStore;
  let platform: Platform;
  let server: Server;
  let url: string;
  const TASKS = ['1', '2', '3', '4', '5', '6'];
  const deps = () => ({ store: journal, clock: systemClock, logger: silentLogger });
  const compile = (repair: unknown): CompiledCheckRepair => {
    const r = compileCheckRepair(
      checkRepairSchema.parse(repair),
      { path: 'checks.outputs', kind: 'consistency', connections: {}, datasets: [] },
      [],
    );
    assert.ok(r);
    return r;
  };
  const target = (repair: CompiledCheckRepair): RepairTarget => ({
    check: 'outputs',
    repair,
    async findings() {
      return TASKS.filter((k) => !platform.outputs.has(k)).map((k) => ({
        key: k,
        fields: { task_id: Number(k), queue: 'render' },
      }));
    },
    async reverify(batch) {
      return new Set(batch.filter((f) => !platform.outputs.has(f.key)).map((f) => f.key));
    },
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gapwarden-repair-http-'));
    store = createSqliteStore({ path: join(dir, 'store.db') });
    journal = store.part(repairStorePart);
    await store.migrate();
    platform = { outputs: new Map(), calls: [], failFor: new Set(), failUndoFor: new Set(), nextId: 100 };
    ({ server, url } = await startPlatform(platform));
  });
  beforeEach(() => {
    platform.outputs.clear();
    platform.calls.length = 0;
    platform.failFor.clear();
    platform.failUndoFor.clear();
  });
  after(async () => {
    server.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const httpRepair = () =>
    compile({
      http: {
        url: `${url}/tasks/{{key}}/output`,
        body: { task: '{{task_id}}', queue: '{{queue}}', note: 'repair of {{key}}' },
        undo: { url: `${url}/tasks/{{key}}/output/{{response.outputId}}`, method: 'DELETE' },
      },
    });

  it('dry-run lists each call and sends nothing', async () => {
    const report = await runRepair(target(httpRepair()), { dryRun: true, batchSize: 4 }, deps());
    assert.equal(platform.calls.length, 0);
    assert.deepEqual(report.preview[0], {
      key: '1',
      batch: 1,
      action: {
        kind: 'http',
        method: 'POST',
        url: `${url}/tasks/1/output`,
        body: { task: 1, queue: 'render', note: 'repair of 1' },
      },
    });
    assert.equal(report.preview.length, 6);
  });

  it('stops at the first failing call, keeps what was done, and rolls it back with the undo call', async () => {
    platform.failFor.add('5');
    platform.outputs.set('2', 7); // task 2's output arrived on its own: not a finding
    const report = await runRepair(target(httpRepair()), { batchSize: 2 }, deps());
    // Findings 1,3,4,5,6 in batches [1,3] [4,5] [6]: task 5 fails in batch 2; task 6 is never called.
    assert.equal(report.status, 'failed');
    assert.match(
      report.error ?? '',
      /batch 2 of 3 failed: POST .*\/tasks\/5\/output answered 500: generator unavailable/,
    );
    assert.deepEqual([...platform.outputs.keys()].sort(), ['1', '2', '3', '4']);
    assert.equal(platform.calls.filter((c) => c.includes('/tasks/6/')).length, 0);
    const actions = await journal.actions(report.journalId!);
    assert.deepEqual(
      actions.map((a) => `${a.key}:${a.outcome}`),
      ['1:repaired', '3:repaired', '4:repaired', '5:failed'],
    );
    platform.calls.length = 0;
    const undone = await rollbackRun(report.journalId!, () => ({ repair: httpRepair() }), deps());
    assert.equal(undone.undone, 3);
    assert.deepEqual(
      platform.calls.map((c) => c.split(' ').slice(0, 2).join(' ')),
      ['DELETE /tasks/4/output/102', 'DELETE /tasks/3/output/101', 'DELETE /tasks/1/output/100'],
    );
    assert.deepEqual([...platform.outputs.keys()], ['2']);
    await assert.rejects(
      rollbackRun(report.journalId!, () => ({ repair: httpRepair() }), deps()),
      /second rollback is refused/,
    );
  });

  it('a rollback that failed midway, retried, undoes only what is left: no undo call twice', async () => {
    const report = await runRepair(target(httpRepair()), { max: 3 }, deps());
    assert.equal(report.counts.repaired, 3);
    // Newest first: 3 is undone, 2 fails, 1 is never reached.
    platform.failUndoFor.add('2');
    platform.calls.length = 0;
    await assert.rejects(
      rollbackRun(report.journalId!, () => ({ repair: httpRepair() }), deps()),
      /answered 500: undo unavailable/,
    );
    assert.deepEqual([...platform.outputs.keys()].sort(), ['1', '2']);
    platform.failUndoFor.clear();
    const retried = await rollbackRun(report.journalId!, () => ({ repair: httpRepair() }), deps());
    assert.equal(retried.status, 'rolled-back');
    assert.deepEqual([...platform.outputs.keys()], []);
    const deletes = platform.calls.filter((c) => c.startsWith('DELETE')).map((c) => c.split(' ')[1]);
    assert.deepEqual(
      deletes.map((u) => u!.split('/')[2]),
      ['3', '2', '2', '1'],
      'task 3 was undone once; task 2 once failed, then once for good',
    );
  });

  it('a repair without an undo call cannot be rolled back', async () => {
    const noUndo = compile({ http: { url: `${url}/tasks/{{key}}/output` } });
    const report = await runRepair(target(noUndo), { max: 2 }, deps());
    assert.equal(report.counts.repaired, 2);
    await assert.rejects(
      rollbackRun(report.journalId!, () => ({ repair: noUndo }), deps()),
      /has no repair\.http\.undo call/,
    );
  });

  it('a function repair (TypeScript config) runs per finding and its undo gets the result', async () => {
    const log: string[] = [];
    const fn = compile({
      function: {
        run: ({ key, finding }: { key: string; finding: Record<string, unknown> }) => {
          platform.outputs.set(key, 1);
          log.push(`run ${key} ${finding.queue}`);
          return { made: key };
        },
        undo: ({ key, result }: { key: string; result: Record<string, unknown> }) => {
          platform.outputs.delete(key);
          log.push(`undo ${key} ${result.made}`);
        },
      },
    });
    const report = await runRepair(target(fn), { keys: ['2', '6'] }, deps());
    assert.equal(report.counts.repaired, 2);
    await rollbackRun(report.journalId!, () => ({ repair: fn }), deps());
    assert.deepEqual(log, ['run 2 render', 'run 6 render', 'undo 6 6', 'undo 2 2']);
    assert.equal(platform.outputs.size, 0);
  });
});

// While PostgreSQL is down, gapwarden says so at once instead of hanging:
// reads such as /api/datasets answer 503 STORE_UNAVAILABLE without waiting out
// the write retry window, /ready answers 503 with the reason, one error is
// logged, and "store is back" is logged once the server answers again. A
// server that refuses writes (read-only) makes /ready and status unhealthy
// the same way. The server is a private cluster of this test.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import pg from 'pg';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import type { Logger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import {
  type PrivatePostgres,
  privatePostgresSkip,
  startPrivatePostgres,
} from './helpers/private-postgres.js';
import { waitFor } from './helpers/temp-dir.js';

const TOKEN = 'outage-test-token-0123456789';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
/** The store's default retry window for writes: what a read used to wait while the server was down. */
const WRITE_RETRY_WINDOW_MS = 10_000;

function recordingLogger(lines: Record<string, unknown>[]): Logger {
  const log = (o: Record<string, unknown>) => lines.push(o);
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

describe('PostgreSQL down or refusing writes', { skip: privatePostgresSkip }, () => {
  let server: PrivatePostgres;
  let engine: Engine;
  let app: Hono;
  const logs: Record<string, unknown>[] = [];
  const count = (msg: string) => logs.filter((l) => l.msg === msg).length;

  before(async () => {
    server = await startPrivatePostgres();
    const config = compileConfig(
      {
        store: { postgres: server.url, poolSize: 4 },
        server: { token: TOKEN },
        datasets: { draws: { partition: { sequence: { start: 1 } } } },
      },
      { env: {} },
    );
    engine = createEngine({ config, logger: recordingLogger(logs) });
    await engine.start({ collect: false, backfill: false });
    app = createApp({ engine, server: config.server, version: '0.0.0-test' });
  });
  after(async () => {
    await engine?.stop();
    await server?.destroy();
  });

  const push = (periods: number[]) =>
    app.request('/api/datasets/draws/records', {
      method: 'POST',
      headers,
      body: JSON.stringify(periods.map((p) => ({ key: String(p), partition: p, payload: { p } }))),
    });
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };

  it('reads answer 503 at once while the server is down; /ready says why; the return is logged', async () => {
    assert.equal((await push([1, 2, 3])).status, 200);
    await server.stop();

    const started = Date.now();
    const res = await app.request('/api/datasets');
    const tookMs = Date.now() - started;
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'STORE_UNAVAILABLE');
    assert.match(body.error.message, /unreachable/);
    assert.ok(
      tookMs < WRITE_RETRY_WINDOW_MS / 2,
      `/api/datasets took ${tookMs} ms while the server was down`,
    );

    const ready = await app.request('/ready');
    assert.equal(ready.status, 503);
    const readiness = (await ready.json()) as { store: boolean; reasons: string[] };
    assert.equal(readiness.store, false);
    assert.match(
      readiness.reasons.join(' '),
      new RegExp(`127\\.0\\.0\\.1:${server.port}/postgres is unreachable`),
    );
    assert.equal(count('store unavailable'), 1, 'one error log for the outage');
    assert.equal(count('store is back'), 0);

    await server.start();
    await waitFor(
      async () => (await app.request('/ready')).status === 200,
      '/ready 200 once the server is back',
    );
    assert.equal(count('store is back'), 1);
    assert.equal(count('store unavailable'), 1);
    assert.equal((await push([4, 5])).status, 200);
    const status = (await (await app.request('/api/datasets')).json()) as {
      healthy: boolean;
      datasets: { records: number }[];
    };
    assert.equal(status.healthy, true);
    assert.equal(status.datasets[0]?.records, 5);
  });

  it('a server that refuses writes makes /ready 503 and status unhealthy until it takes writes again', async () => {
    await admin('ALTER SYSTEM SET default_transaction_read_only = on');
    await admin('SELECT pg_reload_conf()');
    try {
      // pg_reload_conf() only signals the backends; each pooled connection
      // applies the setting when it next reads a command, so a push may still
      // land just after the reload. Push until the server refuses (at most 5 s).
      let refused = await push([6]);
      for (let i = 0; refused.status === 200 && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100));
        refused = await push([6]);
      }
      assert.equal(refused.status, 503);
      const error = ((await refused.json()) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'STORE_UNAVAILABLE');
      assert.match(error.message, /refuses writes \(cannot execute .* in a read-only transaction\)/);

      const ready = await app.request('/ready');
      assert.equal(ready.status, 503, '/ready must say the store cannot take writes');
      assert.match(((await ready.json()) as { reasons: string[] }).reasons.join(' '), /refuses writes/);
      const status = (await (await app.request('/api/datasets')).json()) as {
        healthy: boolean;
        store: { ok: boolean };
      };
      assert.equal(status.healthy, false);
      assert.equal(status.store.ok, false);
    } finally {
      await admin('ALTER SYSTEM RESET default_transaction_read_only');
      await admin('SELECT pg_reload_conf()');
    }
    await waitFor(async () => (await app.request('/ready')).status === 200, '/ready 200 once writes work');
    assert.equal((await push([6])).status, 200);
  });
});

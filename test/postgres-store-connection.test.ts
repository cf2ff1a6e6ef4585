// PostgreSQL store behaviour the contract suite cannot show: connections lost
// and servers unreachable. A TCP relay on 127.0.0.1 stands between the store
// and the real server, so a test can cut the line and restore it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { systemClock } from '../src/internal/clock.js';
import { GapwardenError } from '../src/internal/errors.js';
import type { Logger } from '../src/internal/logger.js';
import { createPostgresExecutor } from '../src/store/postgres/postgres-connection.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';
import { createStoreHealthTracker } from '../src/store/store-health.js';
import { storeAdapter } from './helpers/store-adapters.js';

const T0 = 1_700_000_000_000;
const adapter = storeAdapter('postgres');
const PASSWORD = 'relay-pw-never-logged';

/**
 * A TCP relay to the PostgreSQL server that can be stopped (refusing and
 * cutting connections) and restarted on the same port, and can cut the next
 * connection that sends COMMIT: after the server answered it (the commit
 * happened, the client never hears so) or instead of passing it on.
 */
function startRelay(target: URL) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  let cutAtCommit: 'after-commit' | 'instead-of-commit' | undefined;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
      const cut = () => {
        client.destroy();
        upstream.destroy();
      };
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', cut);
      }
      client.on('data', (chunk: Buffer) => {
        if (cutAtCommit === undefined || !chunk.includes('COMMIT\0')) {
          upstream.write(chunk);
          return;
        }
        const how = cutAtCommit;
        cutAtCommit = undefined;
        if (how === 'instead-of-commit') return cut();
        upstream.unpipe(client);
        upstream.once('data', cut);
        upstream.resume();
        upstream.write(chunk);
      });
      upstream.pipe(client);
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as { port: number }).port;
  };
  return {
    listen,
    get port() {
      return port;
    },
    cutNextCommit(how: 'after-commit' | 'instead-of-commit') {
      cutAtCommit = how;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server?.close(resolve));
    },
  };
}

const rows = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    key: `k${from + i}`,
    ordinal: from + i,
    payload: '{}',
    source: null,
  }));

function recordingLogger(lines: string[]): Logger {
  const log = (o: Record<string, unknown>) => lines.push(JSON.stringify(o));
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

describe('PostgreSQL store connections', { skip: adapter.skip }, () => {
  let locator: string;
  let relay: ReturnType<typeof startRelay>;
  let store: Store;
  let logLines: string[];

  beforeEach(async () => {
    locator = await adapter.createDatabase();
    relay = startRelay(new URL(locator));
    await relay.listen();
    const url = new URL(locator);
    url.port = String(relay.port);
    url.password = PASSWORD;
    logLines = [];
    store = createPostgresStore({
      url: url.toString(),
      retry: { maxElapsedMs: 1_500, initialDelayMs: 20, maxDelayMs: 200 },
      logger: recordingLogger(logLines),
    });
    await store.migrate();
    await store.ensureDataset('draws');
  });

  afterEach(async () => {
    await store.close();
    await relay.stop();
    await adapter.dropDatabase(locator);
  });

  it('carries on after the server ends every connection (admin shutdown of the backends)', async () => {
    await store.ingest('draws', rows(1, 10), 'ignore', T0);
    const admin = new pg.Client({ connectionString: locator });
    await admin.connect();
    try {
      const { rows: killed } = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      assert.ok(killed.length > 0, 'the store had connections to end');
    } finally {
      await admin.end();
    }
    const w = await store.ingest('draws', rows(5, 20), 'ignore', T0 + 1);
    assert.deepEqual(w.insertedOrdinals, [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    assert.equal((await store.stats('draws')).records, 20);
  });

  it('answers ping false while the server is unreachable and rejects with STORE_UNAVAILABLE after retrying', async () => {
    assert.equal(await store.ping(), true);
    await relay.stop();
    assert.equal(await store.ping(), false);
    const started = Date.now();
    let error: unknown;
    try {
      await store.ingest('draws', rows(1, 3), 'ignore', T0);
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof GapwardenError, `expected a GapwardenError, got ${String(error)}`);
    assert.equal(error.code, 'STORE_UNAVAILABLE');
    assert.equal(error.retryable, true);
    assert.ok(Date.now() - started >= 500, 'it retried for a while before giving up');
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${relay.port}/gw_test_`));
    assert.ok(logLines.some((l) => l.includes('retrying')));
    for (const text of [error.message, JSON.stringify(error.details), ...logLines]) {
      assert.doesNotMatch(text, new RegExp(PASSWORD), 'the password never appears');
    }
    await relay.listen();
    assert.equal(await store.ping(), true);
    assert.equal((await store.stats('draws')).records, 0, 'the failed ingest stored nothing');
  });

  it('finishes an operation started while the server was down once it is back within the retry window', async () => {
    await relay.stop();
    const pending = store.ingest('draws', rows(1, 5), 'ignore', T0);
    await new Promise((r) => setTimeout(r, 300));
    await relay.listen();
    assert.deepEqual((await pending).insertedOrdinals, [1, 2, 3, 4, 5]);
    assert.deepEqual((await store.loadCoverage('draws')).ranges(), [[1, 5]]);
  });

  it('a connection lost after the server committed returns the result once, asking the server what happened', async () => {
    relay.cutNextCommit('after-commit');
    const w = await store.ingest('draws', rows(1, 5), 'ignore', T0);
    assert.deepEqual(w.insertedOrdinals, [1, 2, 3, 4, 5], 'acknowledged with what the commit stored');
    assert.equal((await store.stats('draws')).records, 5);
    assert.ok(logLines.some((l) => l.includes('store commit confirmed after a lost connection')));
    const again = await store.ingest('draws', rows(1, 5), 'ignore', T0 + 1);
    assert.deepEqual(again.inserted, [], 'stored exactly once');
  });

  it('a connection lost before COMMIT reached the server runs the transaction again', async () => {
    relay.cutNextCommit('instead-of-commit');
    const w = await store.ingest('draws', rows(1, 5), 'ignore', T0);
    assert.deepEqual(w.insertedOrdinals, [1, 2, 3, 4, 5]);
    assert.equal((await store.stats('draws')).records, 5);
  });

  it('reads fail at once while no connection can be made, writes keep retrying; health says why and logs once', async () => {
    assert.deepEqual(await store.health(), { ok: true, reasons: [] });
    await relay.stop();
    let writeSettled = false;
    const write = store.ingest('draws', rows(1, 3), 'ignore', T0).finally(() => {
      writeSettled = true;
    });
    let error: unknown;
    try {
      await store.stats('draws');
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof GapwardenError, String(error));
    assert.equal(error.code, 'STORE_UNAVAILABLE');
    // At most a pooled connection found broken and one refused: no retry loop.
    assert.ok(Number(error.details.attempts ?? 1) <= 2, `attempts: ${error.details.attempts}`);
    assert.equal(
      writeSettled,
      false,
      'the read was answered while the write, begun first, still waits for the server',
    );

    const health = await store.health();
    assert.equal(health.ok, false);
    assert.match(
      health.reasons.join(' '),
      new RegExp(`127\\.0\\.0\\.1:${relay.port}/gw_test_\\w+ is unreachable`),
    );
    await relay.listen();
    assert.deepEqual((await write).insertedOrdinals, [1, 2, 3], 'the write waited for the server');
    assert.deepEqual(await store.health(), { ok: true, reasons: [] });
    const logged = logLines.map((l) => JSON.parse(l) as { msg: string });
    assert.equal(logged.filter((l) => l.msg === 'store unavailable').length, 1);
    assert.equal(logged.filter((l) => l.msg === 'store is back').length, 1);
  });
});

describe('PostgreSQL transactions on a connection the server ended before COMMIT', {
  skip: adapter.skip,
}, () => {
  let locator: string;
  beforeEach(async () => {
    locator = await adapter.createDatabase();
  });
  afterEach(async () => {
    await adapter.dropDatabase(locator);
  });

  it('runs the transaction again instead of answering "outcome unknown"', async () => {
    const logs: string[] = [];
    const exec = createPostgresExecutor({
      url: locator,
      schema: undefined,
      poolSize: 2,
      connectTimeoutMs: 2_000,
      retry: { maxElapsedMs: 5_000, initialDelayMs: 20, maxDelayMs: 200 },
      logger: recordingLogger(logs),
      tracker: createStoreHealthTracker({ store: 'test', logger: recordingLogger(logs), clock: systemClock }),
    });
    const admin = new pg.Client({ connectionString: locator });
    await admin.connect();
    try {
      await admin.query('CREATE TABLE t (x int)');
      let attempts = 0;
      const out = await exec.transaction('inserting', async (c) => {
        attempts++;
        await c.query('INSERT INTO t VALUES (1)');
        if (attempts === 1) {
          // The server ends this connection while the transaction is open, before COMMIT is sent.
          const { rows: me } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          const broken = once(c, 'error');
          await admin.query('SELECT pg_terminate_backend($1)', [me[0]!.pid]);
          await broken;
        }
        return attempts;
      });
      assert.equal(out, 2, 'ran again on a new connection');
      const { rows: stored } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM t');
      assert.equal(Number(stored[0]!.n), 1, 'stored once: the first attempt was rolled back');
    } finally {
      await admin.end();
      await exec.close();
    }
  });
});

// PostgreSQL store behaviour the contract suite cannot show: connections lost
// and servers unreachable. A TCP relay on 127.0.0.1 stands between the store
// and the real server, so a test can cut the line and restore it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import pg from 'pg';
import { GapwardenError } from '../src/internal/errors.js';
import type { Logger } from '../src/internal/logger.js';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Store } from '../src/store/store.js';
import { storeAdapter } from './helpers/store-adapters.js';

const T0 = 1_700_000_000_000;
const adapter = storeAdapter('postgres');
const PASSWORD = 'relay-pw-never-logged';

/** A TCP relay to the PostgreSQL server that can be stopped (refusing and cutting connections) and restarted on the same port. */
function startRelay(target: URL) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = 0;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
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
});

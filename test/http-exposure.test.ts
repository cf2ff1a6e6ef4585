import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileConfig } from '../src/config/compile-config.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { silentLogger } from '../src/internal/logger.js';
import { createApp } from '../src/server/app.js';
import { type HttpServer, startHttpServer } from '../src/server/http-server.js';
import { tempDir, waitFor } from './helpers/temp-dir.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

function engineFor(dir: string, server: Record<string, unknown>): Engine {
  const config = compileConfig(
    {
      store: { sqlite: join(dir, 'limits.db') },
      server: { token: TOKEN, port: 0, ...server },
      datasets: { draws: { partition: { sequence: { start: 1 } } } },
    },
    { env: {} },
  );
  return createEngine({ config, logger: silentLogger });
}

describe('HTTP server: Host header', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine;

  before(async () => {
    tmp = tempDir();
    engine = engineFor(tmp.dir, { allowedHosts: ['gapwarden.example.com', '.corp.example'] });
    await engine.open();
  });
  after(async () => {
    await engine.stop();
    tmp.cleanup();
  });

  const app = () => createApp({ engine, server: engine.config.server, version: '0.0.0-test' });

  it('answers 403 to a request whose Host names another site (DNS rebinding), before any route', async () => {
    const stored = (await engine.store.stats('draws')).records;
    const res = await app().request('/api/datasets', { headers: { host: 'evil.example:7070' } });
    assert.equal(res.status, 403);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'FORBIDDEN');
    assert.match(body.error.message, /Host "evil\.example:7070" is not allowed.*server\.allowedHosts/);
    const write = await app().request('/api/datasets/draws/records', {
      method: 'POST',
      body: '[{"key":"9","partition":9,"payload":{}}]',
      headers: { host: 'evil.example', 'content-type': 'application/json', ...auth },
    });
    assert.equal(write.status, 403, 'a write with the right token from a wrong Host is refused too');
    assert.equal((await engine.store.stats('draws')).records, stored, 'nothing was stored');
    for (const host of [
      'localhost:7070',
      '127.0.0.1:7070',
      '[::1]:7070',
      '10.1.2.3',
      'gapwarden.example.com:8443',
      'api.corp.example',
      'corp.example',
    ]) {
      const ok = await app().request('/api/datasets', { headers: { host } });
      assert.equal(ok.status, 200, `Host ${host} is allowed`);
    }
    for (const host of ['example.com', 'gapwarden.example.com.evil.example', 'evil.example@127.0.0.1']) {
      assert.equal((await app().request('/health', { headers: { host } })).status, 403, `Host ${host}`);
    }
  });

  it('answers any Host when server.allowedHosts is "*"', async () => {
    const open = engineFor(tmp.dir, { allowedHosts: '*' });
    const res = await createApp({ engine: open, server: open.config.server, version: '0' }).request(
      '/health',
      {
        headers: { host: 'evil.example:7070' },
      },
    );
    await open.stop();
    assert.equal(res.status, 200);
  });
});

/** A raw TCP connection that records what it receives and when the server closes it. */
function rawClient(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('data', (d) => (data += d));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, received: () => data, closed }));
    socket.once('error', reject);
  });
}

const HEALTH = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

describe('HTTP server: request timeouts and a connection limit', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine;
  let http: HttpServer;

  before(async () => {
    tmp = tempDir();
    engine = engineFor(tmp.dir, {
      requestTimeout: '1s',
      headersTimeout: '500ms',
      keepAliveTimeout: '60s',
      maxConnections: 2,
    });
    await engine.open();
    http = await startHttpServer({ engine, server: engine.config.server, version: '0.0.0-test' });
  });
  after(async () => {
    await http.close();
    await engine.stop();
    tmp.cleanup();
  });

  it('cuts off a request whose body arrives slowly with 408 after server.requestTimeout', async () => {
    const client = await rawClient(http.port);
    client.socket.write(
      'POST /api/datasets/draws/records HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Authorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[`,
    );
    // One byte every 200 ms: the whole body would take 20 s.
    let sent = 1;
    const drip = setInterval(() => {
      if (sent < 100 && !client.socket.destroyed) {
        client.socket.write(' ');
        sent++;
      }
    }, 200);
    try {
      await client.closed;
    } finally {
      clearInterval(drip);
    }
    assert.match(client.received(), /^HTTP\/1\.1 408/);
    assert.ok(sent < 100, `the server closed the connection after ${sent} of 100 bytes`);
  });

  it('closes connections beyond server.maxConnections at once, and takes new ones when one ends', async () => {
    const first = await rawClient(http.port);
    const second = await rawClient(http.port);
    for (const c of [first, second]) {
      c.socket.write(HEALTH);
      await waitFor(
        () => c.received().includes('"ok"') || c.received().includes('200 OK'),
        'a health answer',
      );
    }
    const third = await rawClient(http.port);
    third.socket.write(HEALTH);
    await third.closed;
    assert.equal(third.received(), '', 'the third connection got no answer: it was closed');
    assert.equal(first.socket.destroyed, false, 'the first two stay open');
    first.socket.destroy();
    await first.closed;
    await waitFor(async () => {
      const next = await rawClient(http.port);
      next.socket.write(HEALTH);
      await Promise.race([next.closed, waitFor(() => next.received().length > 0, 'an answer', 2000)]);
      const answered = next.received().startsWith('HTTP/1.1 200');
      next.socket.destroy();
      return answered;
    }, 'a connection to be accepted again');
    second.socket.destroy();
  });
});

describe('HTTP server: a header timeout shorter than the request timeout', () => {
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine;
  let http: HttpServer;

  before(async () => {
    tmp = tempDir();
    // The request timeout alone would let the slow headers below go on for 30 s.
    engine = engineFor(tmp.dir, { requestTimeout: '30s', headersTimeout: '500ms' });
    await engine.open();
    http = await startHttpServer({ engine, server: engine.config.server, version: '0.0.0-test' });
  });
  after(async () => {
    await http.close();
    await engine.stop();
    tmp.cleanup();
  });

  it('cuts off a request whose headers arrive slowly with 408 after server.headersTimeout, long before server.requestTimeout', async () => {
    const client = await rawClient(http.port);
    client.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // One header line every 100 ms, never the blank line that ends them: 200 lines would take 20 s.
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < 200 && !client.socket.destroyed) {
        client.socket.write(`X-Slow-${sent}: 1\r\n`);
        sent++;
      }
    }, 100);
    try {
      await client.closed;
    } finally {
      clearInterval(drip);
    }
    assert.match(client.received(), /^HTTP\/1\.1 408/);
    assert.ok(sent < 200, `the server closed the connection after ${sent} of 200 header lines`);
  });
});

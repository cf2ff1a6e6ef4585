import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP upstream for source tests (node:http on 127.0.0.1, port 0), so
 * tests exercise fetch, sockets and timeouts instead of a mocked fetch.
 * Test support only: nothing in the library imports it.
 */

/** One request as the upstream saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
  /** Wall-clock arrival time (Date.now()), for asserting waits such as Retry-After. */
  at: number;
}

export type RouteHandler = (req: SeenRequest, res: ServerResponse, count: number) => void | Promise<void>;

export interface Upstream {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request in arrival order. */
  readonly requests: SeenRequest[];
  /** Requests seen on `path`. */
  seen(path: string): SeenRequest[];
  /** Registers (or replaces) the handler of `path`; `count` is 1 for the first request to it. */
  route(path: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

/** Starts an upstream; unknown paths answer 404 `{ error: 'no route' }`. */
export async function startUpstream(): Promise<Upstream> {
  const routes = new Map<string, RouteHandler>();
  const requests: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      at: Date.now(),
    };
    requests.push(seen);
    const handler = routes.get(url.pathname);
    if (!handler) return sendJson(res, 404, { error: 'no route' });
    const count = requests.filter((r) => r.path === url.pathname).length;
    try {
      await handler(seen, res, count);
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { error: String(err) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    seen: (path) => requests.filter((r) => r.path === path),
    route: (path, handler) => routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets from fetch's pool (and stalled test responses) would hold close() open.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Answers `status` with a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Checks the draw API's MD5 signature the way the real upstream does, written
 * independently of signing.ts (as the Python collector does it) so a bug there
 * cannot hide itself: md5 of sorted non-empty `k + v` pairs, then the secret.
 */
export function verifyMd5Signature(query: Record<string, string>, secret: string, param = 'sign'): boolean {
  const { [param]: sign, ...unsigned } = query;
  const keys = Object.keys(unsigned)
    .filter((k) => unsigned[k])
    .sort();
  const text = keys.map((k) => k + unsigned[k]).join('') + secret;
  return sign !== undefined && sign === createHash('md5').update(text, 'utf8').digest('hex');
}

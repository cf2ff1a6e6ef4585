import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { CompiledServer } from '../config/compiled-config.js';
import type { Engine } from '../engine/engine.js';
import { GapwardenError } from '../internal/errors.js';
import { createApp } from './app.js';
import { createMetrics, type Metrics } from './metrics.js';

export interface HttpServer {
  /** `http://host:port`, the address it really listens on. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  engine: Engine;
  server: CompiledServer;
  version: string;
  /** Mounts the dashboard (`registerDashboard`); left out, `/` answers 404. */
  dashboard?: (app: Hono) => void;
  /** Overrides `server.port` (CLI flags, tests). */
  port?: number;
  /**
   * The engine's metrics, when made before `engine.start()` so that the counters see
   * what starting does (catch-up runs, the backfill of gaps open at start). Closed with
   * the server. @default made here, counting from now
   */
  metrics?: Metrics;
}

/** Starts the API, metrics and dashboard on `server.host:server.port`; resolves once listening. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { engine, server } = options;
  const metrics = options.metrics ?? createMetrics({ engine });
  const app = createApp({
    engine,
    server,
    version: options.version,
    metrics,
    ...(options.dashboard ? { dashboard: options.dashboard } : {}),
  });
  const port = options.port ?? server.port;
  const node = await listen(app, server, port).catch((err) => {
    // Metrics handed in stay open: the caller may try another port with them.
    if (!options.metrics) metrics.close();
    throw err;
  });
  const address = node.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  engine.logger.info({ msg: 'http listening', url, auth: server.token ? 'token' : 'none' });
  return {
    url,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        metrics.close();
        // SSE streams stay open until told otherwise; close them with the server.
        (node as { closeAllConnections?: () => void }).closeAllConnections?.();
        node.close(() => resolve());
      }),
  };
}

function listen(app: Hono, server: CompiledServer, port: number): Promise<ServerType> {
  const hostname = server.host;
  return new Promise((resolve, reject) => {
    const node = serve(
      {
        fetch: app.fetch,
        hostname,
        port,
        serverOptions: {
          // A client that sends its request slowly (or never finishes it) is cut off with 408.
          requestTimeout: server.requestTimeoutMs,
          headersTimeout: server.headersTimeoutMs,
          keepAliveTimeout: server.keepAliveTimeoutMs,
          // Node checks those timeouts on this interval (30 s by default, too coarse for them).
          connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(server.headersTimeoutMs / 2))),
        },
      },
      () => resolve(node),
    );
    // Connections beyond this are closed as they arrive (set before the first one is accepted).
    (node as { maxConnections: number }).maxConnections = server.maxConnections;
    node.once('error', (err: NodeJS.ErrnoException) => {
      const hint =
        err.code === 'EADDRINUSE'
          ? `port ${port} on ${hostname} is in use: set server.port (0 picks a free port) or stop the other process`
          : `could not listen on ${hostname}:${port}: ${err.message}`;
      reject(new GapwardenError('CONFIG_INVALID', hint, { cause: err }));
    });
  });
}

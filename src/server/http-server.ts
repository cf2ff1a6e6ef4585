import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { CompiledServer } from '../config/compiled-config.js';
import type { Engine } from '../engine/engine.js';
import { GapwardenError } from '../internal/errors.js';
import { createApp } from './app.js';
import { createMetrics } from './metrics.js';

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
}

/** Starts the API, metrics and dashboard on `server.host:server.port`; resolves once listening. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { engine, server } = options;
  const metrics = createMetrics({ engine });
  const app = createApp({
    engine,
    server,
    version: options.version,
    metrics,
    ...(options.dashboard ? { dashboard: options.dashboard } : {}),
  });
  const port = options.port ?? server.port;
  const node = await listen(app, server.host, port);
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

function listen(app: Hono, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const node = serve({ fetch: app.fetch, hostname, port }, () => resolve(node));
    node.once('error', (err: NodeJS.ErrnoException) => {
      const hint =
        err.code === 'EADDRINUSE'
          ? `port ${port} on ${hostname} is in use: set server.port (0 picks a free port) or stop the other process`
          : `could not listen on ${hostname}:${port}: ${err.message}`;
      reject(new GapwardenError('CONFIG_INVALID', hint, { cause: err }));
    });
  });
}

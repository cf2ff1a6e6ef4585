import { Hono } from 'hono';
import { GapwardenError } from '../internal/errors.js';
import type { AnyRoute } from './api-route.js';
import { mountRoutes } from './api-route.js';
import { createAuthorizer } from './auth.js';
import { errorResponse } from './http-errors.js';
import { buildOpenApi } from './openapi.js';
import { backfillRoutes } from './routes/backfill-routes.js';
import { datasetRoutes } from './routes/dataset-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { ingestRoutes } from './routes/ingest-routes.js';
import { jobRoutes } from './routes/job-routes.js';
import type { ServerContext } from './server-context.js';

/** Something that renders Prometheus text (see `createMetrics`). */
export interface MetricsSource {
  readonly contentType: string;
  render(): Promise<string>;
}

export interface AppOptions extends ServerContext {
  metrics?: MetricsSource;
  /** Mounts the dashboard's static files (`registerDashboard`). */
  dashboard?: (app: Hono) => void;
}

/** Every route of the API, in the order the OpenAPI document lists them. */
export function apiRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    ...healthRoutes(ctx),
    ...datasetRoutes(ctx),
    ...ingestRoutes(ctx),
    ...backfillRoutes(ctx),
    ...jobRoutes(ctx),
    ...eventRoutes(ctx),
  ];
}

/**
 * The HTTP app: API routes, `/openapi.json`, `/metrics` and the dashboard.
 * Routes only parse, call the engine and format: no logic lives here.
 */
export function createApp(options: AppOptions): Hono {
  const { engine, server } = options;
  const app = new Hono();
  const routes = apiRoutes(options);
  const authorize = createAuthorizer({ token: server.token, protectReads: server.protectReads });

  app.onError((err, c) => errorResponse(c, err, engine.logger));
  app.notFound((c) =>
    errorResponse(
      c,
      new GapwardenError('NOT_FOUND', `no route ${c.req.method} ${c.req.path} (see /openapi.json)`),
    ),
  );
  mountRoutes(app, routes, { authorize, bodyLimitBytes: server.bodyLimitBytes });
  const openapi = buildOpenApi(routes, { title: 'gapwarden', version: options.version });
  app.get('/openapi.json', (c) => c.json(openapi));
  app.get('/metrics', async (c) => {
    authorize(c, 'read');
    if (!options.metrics) throw new GapwardenError('NOT_FOUND', 'metrics are not enabled');
    return c.body(await options.metrics.render(), 200, { 'content-type': options.metrics.contentType });
  });
  options.dashboard?.(app);
  return app;
}

import { Hono } from 'hono';
import type { AnyRoute } from '../http/api-route.js';
import { mountRoutes } from '../http/api-route.js';
import { createAuthorizer } from '../http/auth.js';
import { errorResponse } from '../http/http-errors.js';
import { buildOpenApi } from '../http/openapi.js';
import { GapwardenError } from '../internal/errors.js';
import { createRedactor } from '../internal/redactor.js';
import { createHostCheck } from './host-check.js';
import { activityRoutes } from './routes/activity-routes.js';
import { backfillRoutes } from './routes/backfill-routes.js';
import { datasetRoutes } from './routes/dataset-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { ingestRoutes } from './routes/ingest-routes.js';
import { moduleRoutes } from './routes/module-routes.js';
import { purgeRoutes } from './routes/purge-routes.js';
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

/**
 * Every route of the API, in the order the OpenAPI document lists them: the
 * core's, then each module's (see `GapwardenModule.routes`).
 */
export function apiRoutes(ctx: ServerContext): AnyRoute[] {
  const { engine } = ctx;
  return [
    ...healthRoutes(ctx),
    ...datasetRoutes(ctx),
    ...activityRoutes(ctx),
    ...ingestRoutes(ctx),
    ...backfillRoutes(ctx),
    ...purgeRoutes(ctx),
    ...eventRoutes(ctx),
    ...moduleRoutes(ctx),
    ...engine.modules().flatMap((def) => def.routes?.(engine.moduleContext, engine.module(def)) ?? []),
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
  const checkHost = createHostCheck(server);
  // Error answers quote source errors and their details: secrets are masked there too.
  const redact = createRedactor(engine.config.secrets);

  app.onError((err, c) => errorResponse(c, err, engine.logger, redact));
  app.use('*', async (c, next) => {
    checkHost(c);
    await next();
  });
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

import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../../http/api-route.js';
import type { ServerContext } from '../server-context.js';

const heartbeatSchema = z.object({
  at: z.number(),
  datasets: z.array(
    z.object({
      name: z.string(),
      status: z.enum(['healthy', 'degraded', 'unhealthy']),
      secondsSinceLastRecord: z.number().nullable(),
      lastSource: z.string().nullable(),
      last: z.union([z.number(), z.string()]).nullable(),
    }),
  ),
});

/** Liveness, readiness and the per-dataset heartbeat. */
export function healthRoutes({ engine, version }: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      summary: 'Liveness: the process answers',
      tag: 'health',
      access: 'public',
      responses: {
        200: { description: 'alive', schema: z.object({ ok: z.literal(true), version: z.string() }) },
      },
      handler: (c) => c.json({ ok: true as const, version }),
    }),
    defineRoute({
      method: 'get',
      path: '/ready',
      summary: 'Readiness: the store answers and can take writes, and migrations are done',
      tag: 'health',
      access: 'public',
      responses: {
        200: { description: 'ready', schema: readySchema },
        503: { description: 'not ready; `reasons` says why', schema: readySchema },
      },
      handler: async (c) => {
        const health = await engine.store
          .health()
          .catch((err: unknown) => ({ ok: false, reasons: [`the store does not answer (${String(err)})`] }));
        const store = health.ok;
        const reasons = [...health.reasons];
        if (!engine.isOpen()) reasons.push('migrations and coverage loading have not finished');
        const body = { ready: reasons.length === 0, store, migrated: engine.isOpen(), reasons };
        return c.json(body, body.ready ? 200 : 503);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/heartbeat',
      summary: 'Per dataset: seconds since the last new record, the last source used, the status',
      tag: 'health',
      access: 'read',
      responses: { 200: { description: 'heartbeat', schema: heartbeatSchema } },
      handler: async (c) => {
        const report = await engine.status();
        return c.json({
          at: report.at,
          datasets: report.datasets.map((d) => ({
            name: d.name,
            status: d.status,
            secondsSinceLastRecord: d.freshnessSeconds,
            lastSource: d.lastSource,
            last: d.last,
          })),
        });
      },
    }),
  ];
}

const readySchema = z.object({
  ready: z.boolean(),
  store: z.boolean(),
  migrated: z.boolean(),
  reasons: z.array(z.string()),
});

import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../../http/api-route.js';
import type { ServerContext } from '../server-context.js';

const moduleSchema = z.object({
  name: z.string().describe('e.g. jobs'),
  dashboard: z
    .object({
      path: z.string().describe('the page in the dashboard, e.g. /jobs (shown as #/jobs)'),
      title: z.string().describe('its link text'),
    })
    .nullable()
    .describe('the page the module adds to the dashboard, if any'),
});

/** `GET /api/modules`: the modules this server runs, and their dashboard pages (the dashboard's navigation). */
export function moduleRoutes({ engine }: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/modules',
      summary: 'The modules this server runs (jobs, ...), each with the page it adds to the dashboard',
      tag: 'modules',
      access: 'read',
      responses: {
        200: { description: 'modules, in start order', schema: z.object({ modules: z.array(moduleSchema) }) },
      },
      handler: (c) =>
        c.json({
          modules: engine.modules().map((def) => ({
            name: def.name,
            dashboard: def.dashboard ? { path: def.dashboard.path, title: def.dashboard.title } : null,
          })),
        }),
    }),
  ];
}

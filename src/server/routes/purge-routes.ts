import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../../http/api-route.js';
import { datasetParams, errorBody, errorResponses, partitionValue, queryInt } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

const purgeRequest = z
  .object({
    from: partitionValue.describe('first partition of the range'),
    to: partitionValue.describe('last partition of the range'),
    records: z.boolean().default(false).describe('delete the records stored in the range'),
    knownMissing: z
      .boolean()
      .default(false)
      .describe('forget the partitions marked known missing in the range'),
    dryRun: z.boolean().default(false).describe('only count; change nothing'),
  })
  .strict();

const purgeSchema = z.object({
  id: z.number().int().nullable().describe('the audit row; null for a dry run'),
  dataset: z.string(),
  fromOrdinal: z.number().int(),
  toOrdinal: z.number().int(),
  records: z.number().int().describe('records deleted'),
  knownMissing: z.number().int().describe('known-missing marks cleared'),
  queueItems: z
    .number()
    .int()
    .describe('backfill queue items of the range removed (queued again from the gaps)'),
  by: z.enum(['cli', 'api', 'library']),
  at: z.number().describe('ms since the epoch'),
  dryRun: z.boolean(),
});

/** Operator repair of a dataset's range: purge records and known-missing marks, and the audit of purges. */
export function purgeRoutes({ engine }: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/datasets/:name/purge',
      summary:
        'Delete the records and/or clear the known-missing marks of a range (recorded); gaps reappear and are backfilled',
      tag: 'datasets',
      access: 'write',
      params: datasetParams,
      body: { schema: purgeRequest },
      responses: {
        200: {
          description: 'what was removed (or, with dryRun, would be)',
          schema: z.object({ purge: purgeSchema.extend({ from: partitionValue, to: partitionValue }) }),
        },
        ...errorResponses,
        401: { description: 'missing or wrong bearer token', schema: errorBody },
      },
      handler: async (c, { params, body }) =>
        c.json({ purge: await engine.purge(params.name, { ...body, by: 'api' }) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/datasets/:name/purges',
      summary: 'Purges of a dataset, newest first: when, which range, what was removed, by whom',
      tag: 'datasets',
      access: 'read',
      params: datasetParams,
      query: z.object({ limit: queryInt(1, 1000).default(50) }),
      responses: {
        200: { description: 'purges', schema: z.object({ purges: z.array(purgeSchema) }) },
        ...errorResponses,
      },
      handler: async (c, { params, query }) => {
        engine.dataset(params.name);
        return c.json({ purges: await engine.store.listPurges(params.name, query.limit) });
      },
    }),
  ];
}

import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../../http/api-route.js';
import { GapwardenError } from '../../internal/errors.js';
import {
  backfillRunSchema,
  datasetParams,
  errorBody,
  errorResponses,
  partitionValue,
  queryInt,
} from '../schemas.js';
import type { ServerContext } from '../server-context.js';
import { runWithValues } from './backfill-run-values.js';

const backfillRequest = z
  .object({
    from: partitionValue.optional().describe('first partition (default: the oldest gap)'),
    to: partitionValue.optional().describe('last partition (default: the newest gap)'),
    dryRun: z.boolean().default(false).describe('only say what would be requested'),
  })
  .strict();

const planSchema = z.object({
  dataset: z.string(),
  from: partitionValue.nullable(),
  to: partitionValue.nullable(),
  fromOrdinal: z.number().int().nullable().describe('first ordinal of the planned gaps'),
  toOrdinal: z.number().int().nullable().describe('last ordinal of the planned gaps'),
  partitions: z.number().int().describe('partitions in the open gaps of the range'),
  queueNow: z
    .number()
    .int()
    .describe('how many a run queues at once (backfill.maxQueued); the rest as the queue drains'),
  gapCount: z.number().int(),
  gaps: z
    .array(z.object({ from: partitionValue, to: partitionValue, count: z.number().int() }))
    .describe('the oldest 1000 gaps'),
});

/** Start backfills and read their runs. */
export function backfillRoutes({ engine }: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/datasets/:name/backfills',
      summary: 'Backfill the open gaps of a dataset within a range (or say what it would do, with dryRun)',
      tag: 'backfill',
      access: 'write',
      params: datasetParams,
      body: { schema: backfillRequest },
      responses: {
        200: {
          description: 'dry run: the plan; or nothing to do',
          schema: z.object({ dryRun: z.boolean(), plan: planSchema, run: backfillRunSchema.nullable() }),
        },
        202: {
          description: 'queued; the run fills in the background',
          schema: z.object({ dryRun: z.literal(false), plan: planSchema, run: backfillRunSchema }),
        },
        ...errorResponses,
        401: { description: 'missing or wrong bearer token', schema: errorBody },
        409: { description: 'the dataset has no source to backfill from', schema: errorBody },
      },
      handler: async (c, { params, body }) => {
        const plan = engine.planBackfill(params.name, { from: body.from, to: body.to });
        if (body.dryRun || plan.partitions === 0) return c.json({ dryRun: body.dryRun, plan, run: null });
        if (!engine.dataset(params.name).source) {
          throw new GapwardenError(
            'SOURCE_UNSUPPORTED',
            `dataset "${params.name}" has no source to backfill from`,
          );
        }
        const run = await engine.queueBackfill(params.name, plan, 'manual');
        return c.json({ dryRun: false, plan, run: runWithValues(engine, run) }, 202);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/backfills',
      summary: 'Backfill runs, newest first, with their reports',
      tag: 'backfill',
      access: 'read',
      query: z.object({
        dataset: z.string().optional(),
        limit: queryInt(1, 1000).default(50),
      }),
      responses: {
        200: { description: 'runs', schema: z.object({ runs: z.array(backfillRunSchema) }) },
        ...errorResponses,
      },
      handler: async (c, { query }) => {
        if (query.dataset) engine.dataset(query.dataset);
        const runs = await engine.store.listBackfillRuns(query.dataset, query.limit);
        return c.json({ runs: runs.map((r) => runWithValues(engine, r)) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/backfills/:id',
      summary: 'One backfill run',
      tag: 'backfill',
      access: 'read',
      params: z.object({ id: z.coerce.number().int().positive() }),
      responses: {
        200: { description: 'the run', schema: z.object({ run: backfillRunSchema }) },
        404: { description: 'no such run', schema: errorBody },
      },
      handler: async (c, { params }) => {
        const run = await engine.store.getBackfillRun(params.id);
        if (!run) throw new GapwardenError('NOT_FOUND', `no backfill run ${params.id}`);
        return c.json({ run: runWithValues(engine, run) });
      },
    }),
  ];
}

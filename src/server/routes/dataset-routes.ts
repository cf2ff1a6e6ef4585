import { z } from 'zod';
import { DEFAULT_BUCKETS, MAX_BUCKETS } from '../../coverage/completeness.js';
import type { Engine } from '../../engine/engine.js';
import { type AnyRoute, defineRoute } from '../../http/api-route.js';
import type { BackfillItem } from '../../store/store.js';
import {
  completenessSchema,
  datasetParams,
  datasetStatusSchema,
  errorResponses,
  gapSchema,
  queryInt,
  rangeSchema,
  recordSchema,
  statusReportSchema,
} from '../schemas.js';
import type { ServerContext } from '../server-context.js';
import { completenessView } from './completeness-view.js';

const completenessQuery = z.object({
  bucket: z
    .enum(['auto', 'hour', 'day', 'week', 'month', 'year', 'block'])
    .default('auto')
    .describe(
      'the finest bucket wanted: coarser ones are used when the range would need more than maxBuckets',
    ),
  from: z.string().optional().describe('first partition to include (period number or date)'),
  to: z.string().optional().describe('last partition to include'),
  maxBuckets: queryInt(1, MAX_BUCKETS)
    .default(DEFAULT_BUCKETS)
    .describe('at most this many buckets: the bucket size grows until the whole range fits'),
});

/** Read-only views of datasets: status, coverage, completeness, gaps, records. */
export function datasetRoutes({ engine }: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/datasets',
      summary: 'Every dataset with status, freshness, coverage %, open gaps and source health',
      tag: 'datasets',
      access: 'read',
      responses: { 200: { description: 'status report', schema: statusReportSchema } },
      handler: async (c) => c.json(await engine.status()),
    }),
    defineRoute({
      method: 'get',
      path: '/api/datasets/:name',
      summary: 'One dataset with its coverage as ranges',
      tag: 'datasets',
      access: 'read',
      params: datasetParams,
      responses: {
        200: {
          description: 'the dataset',
          schema: z.object({
            dataset: datasetStatusSchema,
            coverage: z.object({ present: z.array(rangeSchema), knownMissing: z.array(rangeSchema) }),
          }),
        },
        404: errorResponses[404],
      },
      handler: async (c, { params }) => {
        const rt = engine.dataset(params.name);
        const report = await engine.status();
        const p = rt.config.partitioning;
        const toRange = ([a, b]: readonly [number, number]) => ({
          from: p.valueOf(a),
          to: p.valueOf(b),
          fromOrdinal: a,
          toOrdinal: b,
        });
        return c.json({
          dataset: report.datasets.find((d) => d.name === params.name),
          coverage: {
            present: rt.coverage.presentRanges().map(toRange),
            knownMissing: (await engine.store.loadKnownMissing(params.name)).ranges().map(toRange),
          },
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/datasets/:name/completeness',
      summary:
        'Completeness of the whole range (or a part) in at most maxBuckets buckets: hours to years (calendars), blocks of partitions (sequences)',
      tag: 'datasets',
      access: 'read',
      params: datasetParams,
      query: completenessQuery,
      responses: {
        200: {
          description: 'buckets, oldest first',
          schema: completenessSchema,
        },
        ...errorResponses,
      },
      handler: async (c, { params, query }) => c.json(await completenessView(engine, params.name, query)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/datasets/:name/gaps',
      summary: 'Open gaps, oldest first, with their age and backfill state',
      tag: 'datasets',
      access: 'read',
      params: datasetParams,
      query: z.object({ limit: queryInt(1, 10_000).default(100) }),
      responses: {
        200: { description: 'gaps', schema: z.object({ gaps: z.array(gapSchema) }) },
        ...errorResponses,
      },
      handler: async (c, { params, query }) => {
        const gaps = await engine.gaps(params.name, { limit: query.limit });
        const items = await engine.store.listBackfillItems(params.name, { limit: 50_000 });
        return c.json({ gaps: gaps.map((g) => ({ ...g, backfill: backfillState(items, g) })) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/datasets/:name/records',
      summary: 'Stored records, newest partition first, paged with `before`',
      tag: 'datasets',
      access: 'read',
      params: datasetParams,
      query: z.object({
        limit: queryInt(1, 1000).default(50),
        before: z.coerce.number().int().optional().describe('the `next` of the previous page'),
      }),
      responses: {
        200: {
          description: 'a page of records',
          schema: z.object({ records: z.array(recordSchema), next: z.number().int().nullable() }),
        },
        ...errorResponses,
      },
      handler: async (c, { params, query }) => c.json(await recordsPage(engine, params.name, query)),
    }),
  ];
}

async function recordsPage(
  engine: Engine,
  name: string,
  query: { limit: number; before?: number | undefined },
) {
  const p = engine.dataset(name).config.partitioning;
  const rows = await engine.store.listRecords(name, {
    limit: query.limit,
    ...(query.before === undefined ? {} : { beforeOrdinal: query.before }),
  });
  return {
    records: rows.map((r) => ({
      key: r.key,
      partition: p.valueOf(r.ordinal),
      ordinal: r.ordinal,
      source: r.source,
      insertedAt: r.ingestedAt,
      updatedAt: r.updatedAt,
      payload: JSON.parse(r.payload) as unknown,
    })),
    next: rows.length === query.limit ? rows[rows.length - 1]!.ordinal : null,
  };
}

/** The most telling backfill state among a gap's queued partitions. */
function backfillState(
  items: readonly BackfillItem[],
  gap: { fromOrdinal: number; toOrdinal: number },
): 'queued' | 'running' | 'failed' | 'none' {
  let state: 'queued' | 'running' | 'failed' | 'none' = 'none';
  for (const item of items) {
    if (item.ordinal < gap.fromOrdinal || item.ordinal > gap.toOrdinal) continue;
    if (item.state === 'running') return 'running';
    if (item.state === 'pending') state = 'queued';
    else if (state === 'none') state = 'failed';
  }
  return state;
}

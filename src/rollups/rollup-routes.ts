import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../http/api-route.js';
import { errorBody, queryInt } from '../http/schemas.js';
import { GapwardenError } from '../internal/errors.js';
import type { Rollups } from './rollups-runtime.js';

const errors = {
  400: { description: 'invalid request', schema: errorBody },
  404: { description: 'no such rollup or snapshot', schema: errorBody },
} as const;
const writeErrors = {
  ...errors,
  401: { description: 'missing or wrong bearer token', schema: errorBody },
} as const;
const nameParams = z.object({ name: z.string().min(1).describe('the rollup') });
const instant = z
  .string()
  .describe('an ISO 8601 instant or epoch milliseconds')
  .transform((v, ctx) => {
    const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (Number.isNaN(t)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected an ISO 8601 instant or epoch milliseconds, got "${v}"`,
      });
      return z.NEVER;
    }
    return t;
  });
const filter = z
  .string()
  .describe('dimension values as a JSON object, e.g. {"path":"/v1/orders"}')
  .transform((v, ctx) => {
    try {
      const o = JSON.parse(v) as unknown;
      if (
        typeof o === 'object' &&
        o !== null &&
        !Array.isArray(o) &&
        Object.values(o).every((x) => typeof x === 'string')
      ) {
        return o as Record<string, string>;
      }
    } catch {}
    ctx.addIssue({
      code: 'custom',
      message: `expected a JSON object of strings such as {"path":"/a"}, got ${v}`,
    });
    return z.NEVER;
  });
const csv = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
const rangeQuery = {
  from: instant.optional().describe('start (inclusive); default: `to` minus 24 hours'),
  to: instant.optional().describe('end (exclusive); default: now'),
  filter: filter.optional(),
  groupBy: z.string().optional().describe('comma-separated dimensions kept apart; default: all'),
};
const range = (now: number, q: { from?: number; to?: number }) => {
  const to = q.to ?? now;
  return { from: q.from ?? to - 86_400_000, to };
};
const jsonValue = z.unknown();
const pointSchema = z.object({
  bucket: z.string(),
  bucketStart: z.number().int(),
  dims: z.record(z.string(), z.string().nullable()),
  values: z.record(z.string(), jsonValue),
});
const topEntrySchema = z.object({
  rank: z.number().int(),
  dims: z.record(z.string(), z.string().nullable()),
  value: z.number(),
  count: z.number().int(),
});
const snapshotSchema = z.object({
  rollup: z.string(),
  version: z.number().int(),
  createdAt: z.number().int(),
  body: z.record(z.string(), jsonValue),
});

/** Rollups: status, series, top-N, snapshots, rebuild. */
export function rollupRoutes(rollups: Rollups, now: () => number): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/rollups',
      summary: 'Every rollup with its cursor, lag and latest top-N version',
      tag: 'rollups',
      access: 'read',
      responses: {
        200: {
          description: 'rollups',
          schema: z.object({ rollups: z.array(z.record(z.string(), jsonValue)) }),
        },
      },
      handler: async (c) => c.json({ rollups: await rollups.status() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/rollups/:name/series',
      summary:
        'A series over a range at the rollup bucket or a coarser one (sketches merged), filtered by dimensions',
      tag: 'rollups',
      access: 'read',
      params: nameParams,
      query: z.object({
        ...rangeQuery,
        bucket: z.enum(['minute', 'hour', 'day']).optional().describe("default: the rollup's bucket"),
        quantiles: z.string().optional().describe('comma-separated, e.g. 0.5,0.95,0.99 (the default)'),
      }),
      responses: {
        200: { description: 'points', schema: z.object({ series: z.array(pointSchema) }) },
        ...errors,
      },
      handler: async (c, { params, query }) => {
        const quantiles = csv(query.quantiles)?.map(Number);
        if (quantiles?.some((q) => Number.isNaN(q))) {
          throw new GapwardenError(
            'REQUEST_INVALID',
            `quantiles: expected numbers such as 0.5,0.95, got "${query.quantiles}"`,
          );
        }
        const series = await rollups.series(params.name, {
          ...range(now(), query),
          ...(query.bucket ? { bucket: query.bucket } : {}),
          ...(query.filter ? { filter: query.filter } : {}),
          ...(query.groupBy !== undefined ? { groupBy: csv(query.groupBy) } : {}),
          ...(quantiles ? { quantiles } : {}),
        });
        return c.json({ series });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/rollups/:name/top',
      summary: 'The top N dimension values over a range by a measure (e.g. requests, clients, latency.p95)',
      tag: 'rollups',
      access: 'read',
      params: nameParams,
      query: z.object({ ...rangeQuery, by: z.string().optional(), n: queryInt(1, 10_000).optional() }),
      responses: {
        200: { description: 'ranked entries', schema: z.object({ top: z.array(topEntrySchema) }) },
        ...errors,
      },
      handler: async (c, { params, query }) => {
        const top = await rollups.top(params.name, {
          ...range(now(), query),
          ...(query.by ? { by: query.by } : {}),
          ...(query.n ? { n: query.n } : {}),
          ...(query.filter ? { filter: query.filter } : {}),
          ...(query.groupBy !== undefined ? { groupBy: csv(query.groupBy) } : {}),
        });
        return c.json({ top });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/rollups/:name/snapshots',
      summary: 'The top-N snapshot versions kept, newest first',
      tag: 'rollups',
      access: 'read',
      params: nameParams,
      responses: {
        200: {
          description: 'versions',
          schema: z.object({
            versions: z.array(z.object({ version: z.number().int(), createdAt: z.number().int() })),
          }),
        },
        ...errors,
      },
      handler: async (c, { params }) => c.json({ versions: await rollups.snapshots(params.name) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/rollups/:name/snapshots/:version',
      summary: 'A top-N snapshot by version, or the newest (`latest`)',
      tag: 'rollups',
      access: 'read',
      params: z.object({
        name: z.string().min(1),
        version: z.union([z.literal('latest'), z.coerce.number().int().positive()]),
      }),
      responses: { 200: { description: 'the snapshot', schema: snapshotSchema }, ...errors },
      handler: async (c, { params }) => c.json(await rollups.snapshot(params.name, params.version)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/rollups/:name/snapshots',
      summary: 'Take a top-N snapshot now (a new version)',
      tag: 'rollups',
      access: 'write',
      params: nameParams,
      responses: { 201: { description: 'the snapshot', schema: snapshotSchema }, ...writeErrors },
      handler: async (c, { params }) => {
        await rollups.catchUp(params.name);
        return c.json(await rollups.snapshotTop(params.name), 201);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/rollups/:name/rebuild',
      summary: 'Recompute the buckets of [from, to) from the detail records',
      tag: 'rollups',
      access: 'write',
      params: nameParams,
      body: {
        schema: z
          .object({
            from: z.union([z.number().int(), z.string().datetime({ offset: true })]),
            to: z.union([z.number().int(), z.string().datetime({ offset: true })]),
          })
          .strict(),
      },
      responses: {
        200: {
          description: 'what was recomputed',
          schema: z.object({
            records: z.number().int(),
            cells: z.number().int(),
            position: z.number().int(),
          }),
        },
        ...writeErrors,
      },
      handler: async (c, { params, body }) => {
        const t = (v: number | string) => (typeof v === 'number' ? v : Date.parse(v));
        return c.json(await rollups.rebuild(params.name, t(body.from), t(body.to)));
      },
    }),
  ];
}

import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../http/api-route.js';
import { errorBody, queryInt } from '../http/schemas.js';
import { GapwardenError } from '../internal/errors.js';
import { checkRunSchema, checkSchema, trendDaySchema } from './check-route-schemas.js';
import { summarizeCheck, summarizeCheckRun } from './check-summary.js';
import type { Checks } from './checks-runtime.js';

const nameParams = z.object({ name: z.string().min(1).describe('check name') });
const notFound = { 404: { description: 'unknown check', schema: errorBody } } as const;

/** Parses an ISO 8601 instant or epoch milliseconds. */
export function parseInstant(text: string, what: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `${what} expects an ISO 8601 time such as 2026-01-31T00:00:00Z (or epoch ms), found "${text}"`,
    );
  }
  return ms;
}

/** List checks with their last run, read runs and trends, run one now. */
export function checkRoutes(checks: Checks): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/checks',
      summary: 'Every check with its profiles, thresholds and last run',
      tag: 'checks',
      access: 'read',
      responses: { 200: { description: 'checks', schema: z.object({ checks: z.array(checkSchema) }) } },
      handler: async (c) => {
        const last = new Map((await checks.store.lastRuns()).map((r) => [r.check, r]));
        return c.json({ checks: checks.list().map((k) => summarizeCheck(k, last.get(k.name))) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/checks/:name/runs',
      summary: "A check's runs, newest first (page with `before`)",
      tag: 'checks',
      access: 'read',
      params: nameParams,
      query: z.object({
        limit: queryInt(1, 500).default(50),
        before: z.coerce.number().int().positive().optional().describe('a run id: runs older than it'),
      }),
      responses: {
        200: {
          description: 'runs',
          schema: z.object({ check: z.string(), runs: z.array(checkRunSchema) }),
        },
        ...notFound,
      },
      handler: async (c, { params, query }) => {
        checks.get(params.name);
        const runs = await checks.store.listRuns(params.name, {
          limit: query.limit,
          ...(query.before === undefined ? {} : { beforeId: query.before }),
        });
        return c.json({ check: params.name, runs: runs.map(summarizeCheckRun) });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/checks/:name/trend',
      summary: "A check's score per local day (its time zone): average, lowest and last score, runs, errors",
      tag: 'checks',
      access: 'read',
      params: nameParams,
      query: z.object({ days: queryInt(1, 366).default(14) }),
      responses: {
        200: {
          description: 'days with runs, oldest first',
          schema: z.object({ check: z.string(), days: z.array(trendDaySchema) }),
        },
        ...notFound,
      },
      handler: async (c, { params, query }) =>
        c.json({ check: params.name, days: await checks.trend(params.name, query.days) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/checks/:name/run',
      summary:
        'Run a check now over a profile window or an explicit range; answers with the run (an `error` run when its query failed)',
      tag: 'checks',
      access: 'write',
      params: nameParams,
      body: {
        schema: z
          .object({
            profile: z.enum(['quick', 'full', 'deep']).optional(),
            from: z.string().optional().describe('ISO 8601; with `to`, a range instead of a profile'),
            to: z.string().optional(),
          })
          .strict()
          .default({}),
      },
      responses: {
        200: { description: 'the run', schema: z.object({ run: checkRunSchema }) },
        ...notFound,
        400: { description: 'a malformed range', schema: errorBody },
        401: { description: 'missing or wrong bearer token', schema: errorBody },
      },
      handler: async (c, { params, body }) => {
        const run = await checks.run(params.name, {
          trigger: 'api',
          ...(body.profile ? { profile: body.profile } : {}),
          ...(body.from ? { fromMs: parseInstant(body.from, 'from') } : {}),
          ...(body.to ? { toMs: parseInstant(body.to, 'to') } : {}),
        });
        return c.json({ run: summarizeCheckRun(run) });
      },
    }),
  ];
}

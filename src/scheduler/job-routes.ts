import { z } from 'zod';
import type { ModuleContext } from '../core/module.js';
import { type AnyRoute, defineRoute } from '../http/api-route.js';
import { errorBody, queryInt } from '../http/schemas.js';
import { summarizeJob, summarizeRun } from './job-summary.js';
import type { Jobs } from './jobs-runtime.js';

const runSchema = z.object({
  id: z.number().int(),
  dueAt: z.string().describe('ISO 8601 UTC'),
  trigger: z.enum(['schedule', 'catch-up', 'manual']),
  state: z.enum(['running', 'ok', 'failed', 'timeout', 'skipped', 'cancelled']),
  attempt: z.number().int(),
  holder: z.string().nullable().describe('the process that holds (or held) the lease'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  lateMs: z.number().describe('start time minus due time'),
  error: z.string().nullable(),
  records: z.number().int().nullable(),
  detail: z.string().nullable().describe('why a run was skipped, or the parameters of a manual run'),
});

const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  dataset: z.string().nullable(),
  description: z.string().nullable(),
  schedule: z.string(),
  timezone: z.string(),
  paused: z.boolean(),
  running: z.number().int().describe('runs in progress in this process'),
  nextDueAt: z.string().nullable().describe('ISO 8601 UTC'),
  nextDueLocal: z.string().nullable().describe("the same instant in the job's time zone"),
  lastRun: runSchema.nullable(),
});

const jobParams = z.object({ id: z.string().min(1).describe('job id, e.g. collect:draws') });
const notFound = { 404: { description: 'unknown job', schema: errorBody } } as const;
const writeErrors = {
  ...notFound,
  401: { description: 'missing or wrong bearer token', schema: errorBody },
} as const;

/** List jobs, read their run history, run, pause and resume them. */
export function jobRoutes(ctx: ModuleContext, jobs: Jobs): AnyRoute[] {
  // The runner is asked for on every request: the engine replaces it after stopping its schedule.
  const runner = () => jobs.runner();
  const one = async (id: string) => {
    const views = await runner().list();
    return summarizeJob(views.find((v) => v.job.id === id)!);
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/jobs',
      summary: 'Every job with its schedule, next run (UTC and local), paused flag and last run',
      tag: 'jobs',
      access: 'read',
      responses: { 200: { description: 'jobs', schema: z.object({ jobs: z.array(jobSchema) }) } },
      handler: async (c) => c.json({ jobs: (await runner().list()).map(summarizeJob) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/jobs/:id/runs',
      summary: "A job's run history, newest first (page with `before`)",
      tag: 'jobs',
      access: 'read',
      params: jobParams,
      query: z.object({
        limit: queryInt(1, 500).default(50),
        before: z.coerce.number().int().positive().optional().describe('a run id: runs older than it'),
      }),
      responses: {
        200: { description: 'runs', schema: z.object({ job: z.string(), runs: z.array(runSchema) }) },
        ...notFound,
      },
      handler: async (c, { params, query }) => {
        const runs = await runner().history(params.id, {
          limit: query.limit,
          ...(query.before === undefined ? {} : { beforeId: query.before }),
        });
        return c.json({ job: params.id, runs: runs.map(summarizeRun) });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/jobs/:id/run',
      summary: 'Run a job now (a manual run, beside its schedule); answers once it has started',
      tag: 'jobs',
      access: 'write',
      params: jobParams,
      body: {
        schema: z
          .object({ params: z.record(z.string(), z.string()).default({}).describe('passed to the work') })
          .strict(),
      },
      responses: {
        202: { description: 'started; watch its run in the history', schema: z.object({ job: jobSchema }) },
        ...writeErrors,
      },
      handler: async (c, { params, body }) => {
        runner().get(params.id);
        runner()
          .trigger(params.id, body.params)
          .catch((err) =>
            ctx.logger.warn({ msg: 'manual job run failed', job: params.id, error: String(err) }),
          );
        return c.json({ job: await one(params.id) }, 202);
      },
    }),
    ...(['pause', 'resume'] as const).map((action) =>
      defineRoute({
        method: 'post',
        path: `/api/jobs/:id/${action}`,
        summary:
          action === 'pause'
            ? 'Pause a job: no run starts until it is resumed (survives restarts)'
            : 'Resume a paused job from its next due time (the paused time is not caught up)',
        tag: 'jobs',
        access: 'write',
        params: jobParams,
        responses: {
          200: { description: 'the job now', schema: z.object({ job: jobSchema }) },
          ...writeErrors,
        },
        handler: async (c, { params }) => {
          await runner()[action](params.id);
          return c.json({ job: await one(params.id) });
        },
      }),
    ),
  ];
}

import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../../http/api-route.js';
import { errorBody, queryInt } from '../../http/schemas.js';
import { GapwardenError } from '../../internal/errors.js';
import { REPAIR_OUTCOMES } from './repair-journal.js';
import { parseKeyList } from './repair-plan.js';
import type { RepairReport } from './repair-runner.js';
import type { Repairs } from './repairs.js';

const countsShape = {
  planned: z.number().int(),
  repaired: z.number().int(),
  unchanged: z.number().int(),
  fixedMeanwhile: z.number().int(),
  failed: z.number().int(),
  batchesDone: z.number().int(),
};

export const repairRunSchema = z.object({
  id: z.number().int().describe('the journal id (`rollback <id>`)'),
  check: z.string(),
  kind: z.enum(['sql', 'http', 'backfill', 'function']),
  status: z.enum(['running', 'done', 'failed']),
  batchSize: z.number().int(),
  max: z.number().int(),
  keys: z.array(z.string()).nullable(),
  batches: z.number().int(),
  actor: z.string(),
  error: z.string().nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  rollbackStatus: z.enum(['running', 'done', 'failed']).nullable(),
  rollbackAt: z.number().nullable(),
  rollbackError: z.string().nullable(),
  ...countsShape,
});

const actionSchema = z.object({
  runId: z.number().int(),
  seq: z.number().int(),
  batch: z.number().int(),
  key: z.string(),
  outcome: z.enum(REPAIR_OUTCOMES as [string, ...string[]]),
  change: z
    .record(z.string(), z.unknown())
    .describe('what the action changed: SQL before/after rows, the HTTP request and answer, ...'),
  error: z.string().nullable(),
  at: z.number(),
  rolledBackAt: z.number().nullable(),
});

const reportSchema = z.object({
  check: z.string(),
  kind: z.string(),
  dryRun: z.boolean(),
  status: z.enum(['dry-run', 'nothing-to-do', 'done', 'failed']),
  journalId: z.number().int().nullable(),
  batchSize: z.number().int(),
  planned: z.number().int(),
  batches: z.number().int(),
  deferred: z.number().int(),
  notFindings: z.array(z.string()),
  counts: z.object(countsShape),
  error: z.string().nullable(),
  preview: z.array(
    z.object({ key: z.string(), batch: z.number().int(), action: z.record(z.string(), z.unknown()) }),
  ),
});

const repairBody = z
  .object({
    batchSize: z.number().int().positive().optional(),
    max: z.number().int().positive().optional(),
    keys: z
      .union([z.array(z.string().min(1)).min(1), z.string()])
      .optional()
      .describe('keys, or "k1,k2"'),
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
  })
  .strict();

const nameParams = z.object({ name: z.string().min(1).describe('check name') });
const idParams = z.object({ id: z.coerce.number().int().positive().describe('the journal id') });
const errors = {
  400: { description: 'invalid request', schema: errorBody },
  401: { description: 'missing or wrong bearer token', schema: errorBody },
  404: { description: 'unknown check or journal id', schema: errorBody },
  409: {
    description: 'ROLLBACK_REFUSED: already rolled back, still running, or a row changed since the repair',
    schema: errorBody,
  },
} as const;

function requestOf(body: z.infer<typeof repairBody>, dryRun: boolean) {
  const keys = typeof body.keys === 'string' ? parseKeyList(body.keys) : body.keys;
  return {
    dryRun,
    batchSize: body.batchSize,
    max: body.max,
    keys,
    fromMs: body.from === undefined ? undefined : Date.parse(body.from),
    toMs: body.to === undefined ? undefined : Date.parse(body.to),
    actor: 'api',
  };
}

/** The report without the journal row (its fields are in the report already). */
const strip = ({ run: _run, ...report }: RepairReport) => report;

/** Repair preview and run, the journal, rollback: documented in docs/http-api.md. */
export function repairRoutes(repairs: Repairs): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/checks/:name/repair/preview',
      summary: 'What a repair of the check would do now, finding by finding (a dry run: nothing changes)',
      tag: 'checks',
      access: 'read',
      params: nameParams,
      body: { schema: repairBody },
      responses: { 200: { description: 'the preview', schema: reportSchema }, ...errors },
      handler: async (c, { params, body }) =>
        c.json(strip(await repairs.repair(params.name, requestOf(body, true)))),
    }),
    defineRoute({
      method: 'post',
      path: '/api/checks/:name/repair',
      summary: "Repairs the check's findings in batches, each re-verified first; recorded in the journal",
      tag: 'checks',
      access: 'write',
      params: nameParams,
      body: { schema: repairBody },
      responses: {
        200: { description: 'the run (status failed: it stopped at that batch)', schema: reportSchema },
        ...errors,
      },
      handler: async (c, { params, body }) =>
        c.json(strip(await repairs.repair(params.name, requestOf(body, false)))),
    }),
    defineRoute({
      method: 'get',
      path: '/api/repairs',
      summary: 'The repair journal: runs, newest first',
      tag: 'checks',
      access: 'read',
      query: z.object({ check: z.string().optional(), limit: queryInt(1, 500).default(50) }),
      responses: { 200: { description: 'runs', schema: z.object({ runs: z.array(repairRunSchema) }) } },
      handler: async (c, { query }) =>
        c.json({ runs: await repairs.runs({ check: query.check, limit: query.limit }) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/repairs/:id',
      summary: 'One journal entry with every action and what it changed',
      tag: 'checks',
      access: 'read',
      params: idParams,
      responses: {
        200: {
          description: 'the run and its actions',
          schema: z.object({ run: repairRunSchema, actions: z.array(actionSchema) }),
        },
        ...errors,
      },
      handler: async (c, { params }) => c.json(await repairs.entry(params.id)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/repairs/:id/rollback',
      summary: 'Undoes a repair run; refused where a row changed since, and for a run already rolled back',
      tag: 'checks',
      access: 'write',
      params: idParams,
      responses: {
        200: {
          description: 'the run, rolled back',
          schema: z.object({
            journalId: z.number().int(),
            check: z.string(),
            undone: z.number().int(),
            restoredRows: z.number().int(),
            run: repairRunSchema,
          }),
        },
        ...errors,
      },
      handler: async (c, { params }) => {
        const r = await repairs.rollback(params.id);
        if (r.status !== 'rolled-back') throw new GapwardenError('CHECK_FAILED', 'rollback did not finish');
        return c.json({
          journalId: r.journalId,
          check: r.check,
          undone: r.undone,
          restoredRows: r.restoredRows,
          run: r.run,
        });
      },
    }),
  ];
}

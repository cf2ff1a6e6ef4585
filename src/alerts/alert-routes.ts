import { z } from 'zod';
import { parseDuration } from '../domain/duration.js';
import { type AnyRoute, defineRoute } from '../http/api-route.js';
import { errorBody, queryInt } from '../http/schemas.js';
import { GapwardenError } from '../internal/errors.js';
import {
  alertSchema,
  deliverySchema,
  historySchema,
  outboxSchema,
  silenceSchema,
} from './alert-route-schemas.js';
import type { Alerts } from './alerts-runtime.js';

const notFound = { 404: { description: 'no such alert, silence or receiver', schema: errorBody } } as const;
const writeErrors = {
  ...notFound,
  400: { description: 'invalid request', schema: errorBody },
  401: { description: 'missing or wrong bearer token', schema: errorBody },
} as const;
const idParams = z.object({ id: z.coerce.number().int().positive().describe('the alert id') });
const list = (text: string | undefined) =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Alerts, their history and delivery log, acknowledgement, silences and receiver tests. */
export function alertRoutes(alerts: Alerts): AnyRoute[] {
  // Static paths first: `/api/alerts/history` must not be taken for an alert id.
  return [
    defineRoute({
      method: 'get',
      path: '/api/alerts/summary',
      summary: 'Alerts firing now by severity, acknowledged, and the outbox (the dashboard badge)',
      tag: 'alerts',
      access: 'read',
      responses: {
        200: {
          description: 'counts',
          schema: z.object({
            firing: z.object({ P0: z.number().int(), P1: z.number().int(), P2: z.number().int() }),
            acknowledged: z.number().int(),
            outbox: outboxSchema,
          }),
        },
      },
      handler: async (c) => {
        const firing = { P0: 0, P1: 0, P2: 0 };
        let acknowledged = 0;
        for (const r of await alerts.store.countOpenAlerts()) {
          if (r.state === 'firing') firing[r.severity] += r.count;
          else if (r.state === 'acknowledged') acknowledged += r.count;
        }
        return c.json({ firing, acknowledged, outbox: await alerts.outboxDepth() });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/alerts/history',
      summary: 'Every alert change, newest first (page with `before`)',
      tag: 'alerts',
      access: 'read',
      query: z.object({
        alert: z.coerce.number().int().positive().optional().describe('only this alert'),
        since: z
          .string()
          .datetime({ offset: true })
          .optional()
          .describe('only changes at or after this time'),
        limit: queryInt(1, 1000).default(100),
        before: z.coerce.number().int().positive().optional().describe('a history entry id: older ones'),
      }),
      responses: { 200: { description: 'changes', schema: z.object({ history: z.array(historySchema) }) } },
      handler: async (c, { query }) =>
        c.json({
          history: await alerts.history({
            limit: query.limit,
            ...(query.alert === undefined ? {} : { alertId: query.alert }),
            ...(query.since === undefined ? {} : { since: Date.parse(query.since) }),
            ...(query.before === undefined ? {} : { before: query.before }),
          }),
        }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/alerts/deliveries',
      summary: 'Notifications of the outbox with their delivery attempts, newest first',
      tag: 'alerts',
      access: 'read',
      query: z.object({
        state: z.enum(['pending', 'sending', 'delivered', 'failed']).optional(),
        limit: queryInt(1, 1000).default(100),
      }),
      responses: {
        200: {
          description: 'notifications',
          schema: z.object({ deliveries: z.array(deliverySchema), outbox: outboxSchema }),
        },
      },
      handler: async (c, { query }) =>
        c.json({
          deliveries: await alerts.deliveries({
            limit: query.limit,
            ...(query.state ? { state: query.state } : {}),
          }),
          outbox: await alerts.outboxDepth(),
        }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/alerts/silences',
      summary: 'Silences active or to come (with `all=true`, ended ones too)',
      tag: 'alerts',
      access: 'read',
      query: z.object({ all: z.enum(['true', 'false']).default('false') }),
      responses: { 200: { description: 'silences', schema: z.object({ silences: z.array(silenceSchema) }) } },
      handler: async (c, { query }) =>
        c.json({ silences: await alerts.silences({ includeEnded: query.all === 'true' }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/alerts/silences',
      summary:
        'Silence the alerts matching every matcher, from now (or `startsAt`) for `duration` (or until `endsAt`)',
      tag: 'alerts',
      access: 'write',
      body: {
        schema: z
          .object({
            matchers: z.array(z.string()).min(1).describe('e.g. ["dataset=draws", "rule=~gap-.*"]'),
            startsAt: z.string().datetime({ offset: true }).optional(),
            endsAt: z.string().datetime({ offset: true }).optional(),
            duration: z.string().optional().describe('e.g. "2h"; instead of endsAt'),
            author: z.string().min(1),
            comment: z.string().default(''),
          })
          .strict(),
      },
      responses: {
        201: { description: 'the silence', schema: z.object({ silence: silenceSchema }) },
        ...writeErrors,
      },
      handler: async (c, { body }) => {
        const startsAt = body.startsAt === undefined ? alerts.now() : Date.parse(body.startsAt);
        const endsAt = silenceEnd(startsAt, body.endsAt, body.duration);
        const silence = await alerts.createSilence({
          matchers: body.matchers,
          startsAt,
          endsAt,
          author: body.author,
          comment: body.comment,
        });
        return c.json({ silence }, 201);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/alerts/silences/:id',
      summary: 'Expire a silence now',
      tag: 'alerts',
      access: 'write',
      params: z.object({ id: z.coerce.number().int().positive() }),
      responses: {
        200: { description: 'the silence, ended', schema: z.object({ silence: silenceSchema }) },
        ...writeErrors,
      },
      handler: async (c, { params }) => c.json({ silence: await alerts.expireSilence(params.id) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/alerts/test/:receiver',
      summary: 'Send a test message to a receiver through the outbox; answers with its first attempt',
      tag: 'alerts',
      access: 'write',
      params: z.object({ receiver: z.string().min(1) }),
      responses: {
        200: { description: 'the test notification', schema: z.object({ delivery: deliverySchema }) },
        ...writeErrors,
      },
      handler: async (c, { params }) => c.json({ delivery: await alerts.test(params.receiver) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/alerts',
      summary: 'Alerts, newest first: open ones (firing and acknowledged) unless `state` says otherwise',
      tag: 'alerts',
      access: 'read',
      query: z.object({
        state: z.enum(['open', 'all', 'pending', 'firing', 'acknowledged', 'resolved']).default('open'),
        severity: z.string().optional().describe('comma-separated, e.g. P0,P1'),
        match: z.string().optional().describe('comma-separated label matchers, e.g. dataset=draws'),
        limit: queryInt(1, 1000).default(100),
        before: z.coerce.number().int().positive().optional().describe('an alert id: older ones'),
      }),
      responses: {
        200: { description: 'alerts', schema: z.object({ alerts: z.array(alertSchema) }) },
        400: { description: 'a bad matcher or severity', schema: errorBody },
      },
      handler: async (c, { query }) => {
        const severity = list(query.severity);
        const bad = severity.find((s) => !['P0', 'P1', 'P2'].includes(s));
        if (bad)
          throw new GapwardenError('REQUEST_INVALID', `severity: expected P0, P1 or P2, found "${bad}"`);
        return c.json({
          alerts: await alerts.list({
            state: query.state,
            severity: severity as ('P0' | 'P1' | 'P2')[],
            match: list(query.match),
            limit: query.limit,
            ...(query.before === undefined ? {} : { before: query.before }),
          }),
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/alerts/:id',
      summary: 'One alert with its history and its delivery log',
      tag: 'alerts',
      access: 'read',
      params: idParams,
      responses: {
        200: {
          description: 'the alert',
          schema: z.object({
            alert: alertSchema,
            history: z.array(historySchema),
            deliveries: z.array(deliverySchema),
          }),
        },
        ...notFound,
      },
      handler: async (c, { params }) => c.json(await alerts.get(params.id)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/alerts/:id/ack',
      summary: 'Acknowledge a firing alert: it stops escalating and repeating; its resolution is still sent',
      tag: 'alerts',
      access: 'write',
      params: idParams,
      body: {
        schema: z
          .object({
            by: z.string().min(1).default('api').describe('who acknowledges'),
            comment: z.string().optional(),
          })
          .strict(),
      },
      responses: {
        200: { description: 'the alert now', schema: z.object({ alert: alertSchema }) },
        ...writeErrors,
      },
      handler: async (c, { params, body }) =>
        c.json({
          alert: await alerts.acknowledge(params.id, { actor: body.by, comment: body.comment ?? null }),
        }),
    }),
  ];
}

/** When a silence ends: `endsAt`, or `startsAt + duration`; one of them is needed. */
export function silenceEnd(
  startsAt: number,
  endsAt: string | undefined,
  duration: string | undefined,
): number {
  if (endsAt !== undefined && duration !== undefined)
    throw new GapwardenError('REQUEST_INVALID', 'give a silence either endsAt or duration, not both');
  if (endsAt !== undefined) return Date.parse(endsAt);
  const ms = duration === undefined ? undefined : parseDuration(duration);
  if (ms === undefined || ms <= 0)
    throw new GapwardenError(
      'REQUEST_INVALID',
      `a silence needs an end: endsAt, or a duration such as "2h" (found ${duration === undefined ? 'neither' : `"${duration}"`})`,
    );
  return startsAt + ms;
}

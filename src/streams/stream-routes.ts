import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../http/api-route.js';
import { queryInt } from '../http/schemas.js';
import type { Streams } from './streams-runtime.js';

const batchSchema = z.object({
  pipeline: z.string(),
  batchId: z.string(),
  windowEnd: z.number(),
  status: z.enum(['complete', 'timed-out']),
  openedAt: z.number(),
  closedAt: z.number(),
  expectedKeys: z.array(z.string()),
  reportedKeys: z.number().int(),
  missingKeys: z.array(z.string()),
  missingTopics: z.array(z.string()),
  availabilityRatio: z.number(),
});

const pipelineSchema = z.object({
  name: z.string(),
  engine: z.string(),
  client: z.string(),
  group: z.string(),
  running: z.boolean().nullable(),
  lastError: z.string().nullable(),
  topics: z.array(
    z.object({
      topic: z.string(),
      global: z.boolean(),
      acked: z.number().int(),
      deadLetters: z.number().int(),
      lag: z.number().nullable(),
      committedAt: z.number().nullable(),
    }),
  ),
  throughput: z.number().describe('messages per second over the last five minutes'),
  availability: z.object({ last: z.number().nullable(), minLastHour: z.number().nullable() }),
  batchesLastHour: z.number().int(),
  timedOutLastHour: z.number().int(),
  moduleFailuresLastHour: z.number().int().describe('module runs that threw in the last hour'),
  lastBatch: batchSchema.nullable(),
});

const minuteSchema = z.object({
  pipeline: z.string(),
  minute: z.number(),
  messages: z.number().int(),
  deadLetters: z.number().int(),
  batches: z.number().int(),
  availability: z.number().nullable(),
  moduleFailures: z.number().int(),
});

/** Pipelines with lag, throughput and availability; recent batch reports; activity per minute. */
export function streamRoutes(streams: Streams, now: () => number): AnyRoute[] {
  const pipelineQuery = z.string().optional().describe('only this pipeline');
  return [
    defineRoute({
      method: 'get',
      path: '/api/streams',
      summary: 'Stream pipelines: topics with lag, throughput, availability, the newest batch',
      tag: 'streams',
      access: 'read',
      responses: {
        200: { description: 'pipelines', schema: z.object({ pipelines: z.array(pipelineSchema) }) },
      },
      handler: async (c) => c.json({ pipelines: await streams.summary() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/streams/batches',
      summary: 'Batch reports, newest first: status, missing keys and topics, availability',
      tag: 'streams',
      access: 'read',
      query: z.object({ pipeline: pipelineQuery, limit: queryInt(1, 1000).default(50) }),
      responses: { 200: { description: 'reports', schema: z.object({ batches: z.array(batchSchema) }) } },
      handler: async (c, { query }) =>
        c.json({ batches: await streams.batches(query.pipeline, query.limit) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/streams/activity',
      summary: 'Messages, dead letters, batches and mean availability per minute (the dashboard charts)',
      tag: 'streams',
      access: 'read',
      query: z.object({
        pipeline: pipelineQuery,
        minutes: queryInt(1, 10_080).default(60).describe('how far back, in minutes'),
      }),
      responses: {
        200: { description: 'minutes, oldest first', schema: z.object({ minutes: z.array(minuteSchema) }) },
      },
      handler: async (c, { query }) =>
        c.json({ minutes: await streams.activity(query.pipeline, now() - query.minutes * 60_000) }),
    }),
  ];
}

import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../http/api-route.js';
import { errorBody, queryInt } from '../http/schemas.js';
import {
  archivedRecordSchema,
  daySchema,
  eventSchema,
  manifestSchema,
  restoreReportSchema,
  retentionReportSchema,
  usageSchema,
  verifyReportSchema,
} from './archive-route-schemas.js';
import type { Archive } from './archive-runtime.js';
import { ARCHIVE_STATES, type ArchiveState } from './store/archive-store.js';

const errors = {
  400: { description: 'invalid request', schema: errorBody },
  404: { description: 'no such dataset or archive', schema: errorBody },
} as const;
const writeErrors = {
  ...errors,
  401: { description: 'missing or wrong bearer token', schema: errorBody },
} as const;

/** The archive summary with each dataset's retention settings. */
export async function archiveOverview(archive: Archive) {
  const lifecycle = archive.lifecycle();
  return {
    objectStore: archive.describeObjects(),
    datasets: (await archive.usage()).map((u) => {
      const lc = lifecycle.find((l) => l.dataset === u.dataset);
      return { ...u, retentionMs: lc?.retentionMs ?? null, keepArchivesMs: lc?.keepArchivesMs ?? null };
    }),
  };
}

/** Manifests, storage used, the audit trail, and run / verify / restore / read. */
export function archiveRoutes(archive: Archive): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/archive',
      summary: 'Storage used per dataset (from the manifests), retention settings and where objects go',
      tag: 'archive',
      access: 'read',
      responses: {
        200: {
          description: 'the archive overview',
          schema: z.object({ objectStore: z.string(), datasets: z.array(usageSchema) }),
        },
      },
      handler: async (c) => c.json(await archiveOverview(archive)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/archive/manifests',
      summary: 'Archive manifests (one per object), newest day first',
      tag: 'archive',
      access: 'read',
      query: z.object({
        dataset: z.string().optional(),
        day: daySchema.optional(),
        state: z
          .string()
          .optional()
          .describe(`comma-separated states: ${ARCHIVE_STATES.join(', ')}`),
        limit: queryInt(1, 10_000).default(200),
      }),
      responses: {
        200: { description: 'manifests', schema: z.object({ manifests: z.array(manifestSchema) }) },
        ...errors,
      },
      handler: async (c, { query }) => {
        const states = (query.state ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean) as ArchiveState[];
        return c.json({
          manifests: await archive.store.listManifests({
            limit: query.limit,
            ...(query.dataset ? { dataset: query.dataset } : {}),
            ...(query.day ? { day: query.day } : {}),
            ...(states.length ? { states } : {}),
          }),
        });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/archive/events',
      summary:
        'What the archive did (uploaded, verified, verify-failed, deleted, restored, expired), newest first',
      tag: 'archive',
      access: 'read',
      query: z.object({ dataset: z.string().optional(), limit: queryInt(1, 1000).default(100) }),
      responses: { 200: { description: 'events', schema: z.object({ events: z.array(eventSchema) }) } },
      handler: async (c, { query }) =>
        c.json({
          events: await archive.store.listEvents({
            limit: query.limit,
            ...(query.dataset ? { dataset: query.dataset } : {}),
          }),
        }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/archive/run',
      summary: 'One retention pass now: archive, verify and delete eligible days; expire old archives',
      tag: 'archive',
      access: 'write',
      body: { schema: z.object({ dataset: z.string().optional() }).strict() },
      responses: {
        200: { description: 'per dataset', schema: z.object({ reports: z.array(retentionReportSchema) }) },
        ...writeErrors,
      },
      handler: async (c, { body }) => c.json({ reports: await archive.archiver.run(body.dataset) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/archive/verify',
      summary:
        'Read archive objects back and compare count, size and sha256 with their manifests (changes nothing)',
      tag: 'archive',
      access: 'write',
      body: { schema: z.object({ dataset: z.string(), day: daySchema.optional() }).strict() },
      responses: {
        200: { description: 'per object', schema: z.object({ verified: z.array(verifyReportSchema) }) },
        ...writeErrors,
      },
      handler: async (c, { body }) =>
        c.json({ verified: await archive.archiver.verify(body.dataset, body.day) }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/archive/restore',
      summary: "Put a day's archived records back into the store (after reading each object back whole)",
      tag: 'archive',
      access: 'write',
      body: { schema: z.object({ dataset: z.string(), day: daySchema }).strict() },
      responses: { 200: { description: 'what was put back', schema: restoreReportSchema }, ...writeErrors },
      handler: async (c, { body }) => c.json(await archive.archiver.restore(body.dataset, body.day)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/archive/:dataset/records',
      summary: 'Archived records of days [from, to], streamed from the objects as NDJSON',
      tag: 'archive',
      access: 'read',
      params: z.object({ dataset: z.string() }),
      query: z.object({ from: daySchema, to: daySchema }),
      responses: {
        200: {
          description: 'one archived record per line',
          schema: archivedRecordSchema,
          contentType: 'application/x-ndjson',
        },
        ...errors,
      },
      handler: async (_c, { params, query }) => {
        const batches = archive.archiver.read(params.dataset, query.from, query.to);
        // Reads the first batch before answering, so a bad dataset or day is a 4xx, not a cut stream.
        const first = await batches.next();
        const encoder = new TextEncoder();
        const body = new ReadableStream<Uint8Array>({
          async start(controller) {
            try {
              if (!first.done)
                controller.enqueue(encoder.encode(first.value.map((l) => `${JSON.stringify(l)}\n`).join('')));
              for await (const lines of batches)
                controller.enqueue(encoder.encode(lines.map((l) => `${JSON.stringify(l)}\n`).join('')));
              controller.close();
            } catch (err) {
              controller.error(err);
            }
          },
        });
        return new Response(body, { headers: { 'content-type': 'application/x-ndjson' } });
      },
    }),
  ];
}

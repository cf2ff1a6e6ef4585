import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../../http/api-route.js';
import { MAX_LISTED_REJECTIONS } from '../../ingest/rejection-list.js';
import { parseRecordsBody, RECORDS_CONTENT_TYPES } from '../read-records-body.js';
import { datasetParams, errorBody, errorResponses, ingestAnswerSchema } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

const recordInput = z.object({
  key: z.union([z.string(), z.number()]).describe('idempotency key: stored once per dataset'),
  partition: z.union([z.number(), z.string()]).describe('period number or date/time'),
  payload: z.unknown(),
});

/** Records pushed without a named source are attributed to this source. */
export const PUSH_SOURCE = 'push';

/** Push ingest: `POST /api/datasets/:name/records`. */
export function ingestRoutes({ engine }: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/datasets/:name/records',
      summary:
        'Push records (JSON array or NDJSON); idempotent on key; valid records are stored in one transaction',
      tag: 'ingest',
      access: 'write',
      params: datasetParams,
      query: z.object({
        source: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . or -')
          .default(PUSH_SOURCE)
          .describe("name stored as the records' source"),
      }),
      body: {
        documented: z.array(recordInput),
        contentTypes: RECORDS_CONTENT_TYPES,
        parse: parseRecordsBody,
      },
      responses: {
        200: {
          description: 'what was stored, and why each rejected record was refused',
          schema: ingestAnswerSchema,
        },
        ...errorResponses,
        401: { description: 'missing or wrong bearer token', schema: errorBody },
        413: { description: 'body larger than server.bodyLimit', schema: errorBody },
        415: { description: 'content type is neither JSON nor NDJSON', schema: errorBody },
      },
      handler: async (c, { params, query, body: rb }) => {
        engine.dataset(params.name);
        const result = await engine.ingest(params.name, rb.records, { source: query.source });
        // Both lists hold the first rejections in body order, so the first of the two together are listed.
        const rejections = [
          ...rb.unparsable,
          ...result.rejected.map((r) => {
            const index = r.index === undefined || !rb.positions ? r.index : rb.positions[r.index];
            const reason =
              rb.format === 'ndjson' && index !== undefined
                ? r.reason.replace(/^record \d+/, `line ${index + 1}`)
                : r.reason;
            return { ...(index === undefined ? {} : { index }), ...(r.key ? { key: r.key } : {}), reason };
          }),
        ]
          .sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
          .slice(0, MAX_LISTED_REJECTIONS);
        const rejected = rb.unparsableCount + result.rejectedCount;
        return c.json({
          dataset: params.name,
          received: rb.records.length + rb.unparsableCount,
          inserted: result.inserted,
          updated: result.updated,
          duplicate: result.unchanged + result.duplicatesInBatch,
          rejected,
          rejections,
          rejectionsOmitted: rejected - rejections.length,
        });
      },
    }),
  ];
}

import { z } from 'zod';
import { parseDuration } from '../../domain/duration.js';
import type { Engine } from '../../engine/engine.js';
import { type AnyRoute, defineRoute } from '../../http/api-route.js';
import {
  activityWindow,
  DEFAULT_ACTIVITY_BUCKETS,
  MAX_ACTIVITY_BUCKETS,
} from '../../ingest/activity-window.js';
import { GapwardenError } from '../../internal/errors.js';
import { datasetParams, errorResponses, queryInt } from '../schemas.js';
import type { ServerContext } from '../server-context.js';

const DAY_MS = 86_400_000;

const activityQuery = z.object({
  from: z
    .string()
    .optional()
    .describe('start: ms since the epoch or an ISO 8601 time (default: a day before `to`)'),
  to: z.string().optional().describe('end, exclusive: ms since the epoch or an ISO 8601 time (default: now)'),
  bucket: z
    .string()
    .default('auto')
    .describe(
      'bucket length such as 1m, 5m, 1h, 1d (whole minutes), or auto; longer when maxBuckets needs it',
    ),
  maxBuckets: queryInt(1, MAX_ACTIVITY_BUCKETS)
    .default(DEFAULT_ACTIVITY_BUCKETS)
    .describe('at most this many buckets: the bucket grows until the range fits'),
});

const activitySchema = z.object({
  dataset: z.string(),
  from: z.number().describe('start of the first bucket, ms since the epoch'),
  to: z.number().describe('end of the range, exclusive, ms'),
  bucketMs: z.number().int().describe('bucket length used, ms'),
  buckets: z.array(
    z.object({
      start: z.number().describe('ms since the epoch'),
      inserted: z.number().int().describe('new records stored'),
      filled: z.number().int().describe('of those, stored by backfill: partitions filled'),
    }),
  ),
  totals: z.object({ inserted: z.number().int(), filled: z.number().int() }),
});

/** The dashboard's activity chart: records stored and partitions filled over time. */
export function activityRoutes({ engine }: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/datasets/:name/activity',
      summary: 'Records stored and partitions filled by backfill per time bucket (kept per minute)',
      tag: 'datasets',
      access: 'read',
      params: datasetParams,
      query: activityQuery,
      responses: {
        200: { description: 'every bucket of the range, oldest first', schema: activitySchema },
        ...errorResponses,
      },
      handler: async (c, { params, query }) => c.json(await activity(engine, params.name, query)),
    }),
  ];
}

async function activity(engine: Engine, name: string, query: z.output<typeof activityQuery>) {
  engine.dataset(name);
  const to = query.to === undefined ? engine.clock.now() : instant(query.to, 'to');
  const from = query.from === undefined ? to - DAY_MS : instant(query.from, 'from');
  if (from >= to) throw new GapwardenError('REQUEST_INVALID', `from ${from} is not before to ${to}`);
  const askedMs = query.bucket === 'auto' ? undefined : parseDuration(query.bucket);
  if (askedMs === undefined && query.bucket !== 'auto') {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `bucket ${query.bucket} is not a duration: give one such as 1m, 15m, 1h or 1d, or auto`,
    );
  }
  const w = activityWindow({ fromMs: from, toMs: to, askedMs, maxBuckets: query.maxBuckets });
  const stored = await engine.store.listActivity(name, w.fromMs, w.toMs, w.bucketMs);
  const byStart = new Map(stored.map((b) => [b.start, b]));
  const buckets = Array.from({ length: w.count }, (_, i) => {
    const start = w.fromMs + i * w.bucketMs;
    const b = byStart.get(start);
    return { start, inserted: b?.inserted ?? 0, filled: b?.filled ?? 0 };
  });
  const totals = { inserted: 0, filled: 0 };
  for (const b of buckets) {
    totals.inserted += b.inserted;
    totals.filled += b.filled;
  }
  return { dataset: name, from: w.fromMs, to: w.toMs, bucketMs: w.bucketMs, buckets, totals };
}

/** A time as ms since the epoch or ISO 8601 text. */
function instant(text: string, field: 'from' | 'to'): number {
  // Date.parse alone would read "1.5" or "May 3" as some date: only ISO 8601 text goes to it.
  const ms = /^-?\d+$/.test(text)
    ? Number(text)
    : /^\d{4}-\d\d-\d\d/.test(text)
      ? Date.parse(text)
      : Number.NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new GapwardenError(
      'REQUEST_INVALID',
      `${field} ${text} is not a time: give ms since the epoch or an ISO 8601 time such as 2026-11-20T12:00:00Z`,
    );
  }
  return ms;
}

import { z } from 'zod';

// Schemas of what the API answers. They generate the OpenAPI document; request
// schemas live beside their routes, where they also validate.

export const partitionValue = z
  .union([z.number(), z.string()])
  .describe('a partition: period number or date/time');

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const rangeSchema = z.object({
  from: partitionValue,
  to: partitionValue,
  fromOrdinal: z.number().int(),
  toOrdinal: z.number().int(),
});

export const sourceHealthSchema = z.object({
  source: z.string(),
  state: z.enum(['closed', 'open', 'half-open']).describe('closed = healthy; open = skipped until retryAt'),
  consecutiveFailures: z.number().int(),
  lastSuccessAt: z.number().nullable(),
  lastFailureAt: z.number().nullable(),
  lastError: z.string().nullable(),
  retryAt: z.number().nullable(),
});

export const datasetStatusSchema = z.object({
  name: z.string(),
  kind: z.enum(['sequence', 'calendar']),
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  reasons: z.array(z.string()),
  records: z.number().int(),
  rejected: z.number().int(),
  first: partitionValue.nullable(),
  last: partitionValue.nullable(),
  lastInsertAt: z.number().nullable(),
  lastSource: z.string().nullable(),
  freshnessSeconds: z.number().nullable(),
  freshness: z.enum(['ok', 'warn', 'error', 'unknown']),
  coveragePercent: z.number(),
  openGaps: z.number().int(),
  missingPartitions: z.number().int(),
  knownMissing: z.number().int(),
  backfill: z.object({ pending: z.number().int(), running: z.number().int(), failed: z.number().int() }),
  sources: z.array(sourceHealthSchema),
});

export const statusReportSchema = z.object({
  at: z.number().describe('ms since the epoch'),
  healthy: z.boolean(),
  datasets: z.array(datasetStatusSchema),
});

export const gapSchema = z.object({
  from: partitionValue,
  to: partitionValue,
  fromOrdinal: z.number().int(),
  toOrdinal: z.number().int(),
  count: z.number().int(),
  ageSeconds: z.number().nullable(),
  backfill: z.enum(['queued', 'running', 'failed', 'none']),
});

export const bucketSchema = z.object({
  start: partitionValue,
  end: partitionValue,
  label: z.string(),
  expected: z.number().int(),
  present: z.number().int(),
  knownMissing: z.number().int(),
  percent: z.number(),
});

export const recordSchema = z.object({
  key: z.string(),
  partition: partitionValue,
  ordinal: z.number().int(),
  source: z.string().nullable(),
  insertedAt: z.number(),
  updatedAt: z.number(),
  payload: z.unknown(),
});

export const backfillRunSchema = z.object({
  id: z.number().int(),
  dataset: z.string(),
  trigger: z.enum(['auto', 'manual', 'startup']),
  fromOrdinal: z.number().int(),
  toOrdinal: z.number().int(),
  requested: z.number().int(),
  filled: z.number().int(),
  failed: z.number().int(),
  notFound: z.number().int(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
});

export const ingestAnswerSchema = z.object({
  dataset: z.string(),
  received: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  duplicate: z.number().int().describe('already stored with the same payload, or repeated within the batch'),
  rejected: z.number().int(),
  rejections: z.array(
    z.object({ index: z.number().int().optional(), key: z.string().optional(), reason: z.string() }),
  ),
});

export const datasetParams = z.object({ name: z.string().min(1).describe('dataset name') });

/** Query integers arrive as text. */
export const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const errorResponses = {
  400: { description: 'invalid request: the message says which field and what to fix', schema: errorBody },
  404: { description: 'unknown dataset', schema: errorBody },
} as const;

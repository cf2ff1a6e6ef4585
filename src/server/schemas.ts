import { z } from 'zod';
import { errorBody } from '../http/schemas.js';

// Schemas of what the core's routes answer. They generate the OpenAPI document;
// request schemas live beside their routes, where they also validate. Parts
// any module's routes use (the error body, query integers) are in http/schemas.ts.

export { errorBody, queryInt } from '../http/schemas.js';

export const partitionValue = z
  .union([z.number(), z.string()])
  .describe('a partition: period number or date/time');

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
  healthy: z.boolean().describe('false when the store cannot take writes or a dataset is unhealthy'),
  store: z
    .object({ ok: z.boolean(), reasons: z.array(z.string()) })
    .describe('whether the store can take writes, and if not, why'),
  datasets: z.array(datasetStatusSchema),
});

export const gapSchema = z.object({
  from: partitionValue,
  to: partitionValue,
  fromOrdinal: z.number().int(),
  toOrdinal: z.number().int(),
  count: z.number().int(),
  detectedAt: z
    .number()
    .nullable()
    .describe(
      'when gapwarden found the gap, ms since the epoch (for a gap open before the process started: when the first record after it was stored); null when unknown',
    ),
  ageSeconds: z.number().nullable().describe('seconds since `detectedAt`'),
  partitionAt: z
    .number()
    .nullable()
    .describe("calendars: when the gap's first partition starts, ms since the epoch; null for sequences"),
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

export const completenessSchema = z.object({
  bucket: z
    .enum(['hour', 'day', 'week', 'month', 'year', 'block'])
    .describe('the bucket used: the finest asked for that fits the range in maxBuckets'),
  blockSize: z.number().int().nullable().describe('partitions per block (sequences); null for calendars'),
  from: partitionValue.nullable().describe('the first partition the buckets span'),
  to: partitionValue.nullable().describe('the last partition the buckets span'),
  range: z
    .object({ from: partitionValue, to: partitionValue })
    .nullable()
    .describe("the dataset's whole expected range (null before its first record)"),
  buckets: z.array(bucketSchema),
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
  from: partitionValue
    .nullable()
    .describe(
      "the range's first partition (a date for calendars); null if the dataset is no longer configured",
    ),
  to: partitionValue.nullable().describe("the range's last partition"),
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
  rejected: z.number().int().describe('every rejected record'),
  rejections: z
    .array(z.object({ index: z.number().int().optional(), key: z.string().optional(), reason: z.string() }))
    .describe('the first 100 rejected records (in body order), each with its reason'),
  rejectionsOmitted: z.number().int().describe('rejected records not listed in `rejections`'),
});

export const datasetParams = z.object({ name: z.string().min(1).describe('dataset name') });

export const errorResponses = {
  400: { description: 'invalid request: the message says which field and what to fix', schema: errorBody },
  404: { description: 'unknown dataset', schema: errorBody },
} as const;

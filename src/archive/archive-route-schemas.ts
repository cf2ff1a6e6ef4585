import { z } from 'zod';
import { ARCHIVE_STATES } from './store/archive-store.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a UTC day, YYYY-MM-DD');
export const daySchema = day;

export const manifestSchema = z.object({
  id: z.number().int(),
  dataset: z.string(),
  day: z.string(),
  part: z.number().int(),
  objectKey: z.string(),
  state: z.enum(ARCHIVE_STATES as [string, ...string[]]),
  records: z.number().int(),
  bytes: z.number().int(),
  rawBytes: z.number().int(),
  sha256: z.string(),
  ordinals: z.array(z.tuple([z.number().int(), z.number().int()])),
  deletedRecords: z.number().int(),
  error: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  verifiedAt: z.number().nullable(),
  deletedAt: z.number().nullable(),
  restoredAt: z.number().nullable(),
  expiredAt: z.number().nullable(),
});

export const usageSchema = z.object({
  dataset: z.string(),
  parts: z.number().int(),
  records: z.number().int(),
  bytes: z.number().int(),
  rawBytes: z.number().int(),
  byState: z.record(z.string(), z.number().int()),
  oldestDay: z.string().nullable(),
  newestDay: z.string().nullable(),
  retentionMs: z.number().nullable(),
  keepArchivesMs: z.number().nullable(),
});

export const eventSchema = z.object({
  id: z.number().int(),
  manifestId: z.number().int(),
  dataset: z.string(),
  day: z.string(),
  at: z.number(),
  event: z.string(),
  detail: z.string().nullable(),
});

export const retentionReportSchema = z.object({
  dataset: z.string(),
  throughDay: z.string().nullable(),
  parts: z.array(
    z.object({
      day: z.string(),
      part: z.number().int(),
      state: z.string(),
      records: z.number(),
      bytes: z.number(),
    }),
  ),
  deletedRecords: z.number().int(),
  expired: z.number().int(),
  errors: z.array(z.string()),
});

export const verifyReportSchema = z.object({
  id: z.number().int(),
  dataset: z.string(),
  day: z.string(),
  part: z.number().int(),
  ok: z.boolean(),
  problem: z.string().nullable(),
  expected: z.object({ records: z.number(), bytes: z.number(), sha256: z.string() }),
  found: z.object({ records: z.number(), bytes: z.number(), sha256: z.string() }).nullable(),
  ms: z.number(),
});

export const restoreReportSchema = z.object({
  dataset: z.string(),
  day: z.string(),
  parts: z.number().int(),
  records: z.number().int(),
  inserted: z.number().int(),
});

/** One archived record, as the NDJSON read route streams it. */
export const archivedRecordSchema = z.object({
  key: z.string(),
  ordinal: z.number().int(),
  partition: z.union([z.string(), z.number()]),
  payload: z.string().describe('the stored JSON text, byte for byte'),
  source: z.string().nullable(),
  ingestedAt: z.number(),
  updatedAt: z.number(),
});

import { z } from 'zod';

const delaySchema = z.object({
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
  late: z.number().int().describe('children that arrived later than `lateAfter`'),
});

export const checkRunSchema = z.object({
  id: z.number().int(),
  check: z.string(),
  kind: z.string(),
  profile: z.string().describe('quick, full, deep, or range (an explicit from/to)'),
  trigger: z.enum(['schedule', 'manual', 'api', 'cli']),
  status: z.enum(['healthy', 'degraded', 'unhealthy', 'error']),
  level: z.enum(['low', 'medium', 'high', 'critical']).nullable(),
  score: z.number().nullable().describe('0-100; null for an error run'),
  from: z.string().describe('window start, ISO 8601 UTC'),
  to: z.string().describe('window end (excluded)'),
  startedAt: z.string(),
  durationMs: z.number(),
  total: z.number().int(),
  findings: z.number().int(),
  delay: delaySchema.nullable(),
  sample: z.array(z.object({ key: z.string(), fields: z.record(z.string(), z.unknown()) })),
  day: z.string(),
  days: z.array(
    z.object({ day: z.string(), score: z.number(), total: z.number().int(), findings: z.number().int() }),
  ),
  error: z.string().nullable().describe("the database's message, for an error run"),
});

export const checkSchema = z.object({
  name: z.string(),
  kind: z.string(),
  description: z.string().nullable(),
  target: z.union([z.object({ connection: z.string() }), z.object({ dataset: z.string() })]),
  timezone: z.string(),
  thresholds: z.object({
    healthy: z.number(),
    degraded: z.number(),
    low: z.number(),
    medium: z.number(),
    high: z.number(),
  }),
  profiles: z.array(z.object({ name: z.string(), windowMs: z.number(), schedule: z.string().nullable() })),
  repair: z.string().nullable().describe('the repair kind, when the check has one'),
  lastRun: checkRunSchema.nullable(),
});

export const trendDaySchema = z.object({
  day: z.string(),
  runs: z.number().int(),
  errors: z.number().int(),
  avgScore: z.number().nullable(),
  minScore: z.number().nullable(),
  lastScore: z.number().nullable(),
  lastFindings: z.number().int().nullable(),
});

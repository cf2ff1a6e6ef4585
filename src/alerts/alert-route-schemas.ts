import { z } from 'zod';

// The shapes the alerts routes answer with (OpenAPI); the values come from alert-summary.ts.

const iso = z.string().describe('ISO 8601 UTC');
const severity = z.enum(['P0', 'P1', 'P2']);

export const alertSchema = z.object({
  id: z.number().int(),
  rule: z.string(),
  severity: severity.describe('now (escalation may have raised it)'),
  ruleSeverity: severity,
  state: z.enum(['pending', 'firing', 'acknowledged', 'resolved']),
  labels: z.record(z.string(), z.string()),
  summary: z.string().describe('what broke, how big'),
  tried: z.string().describe('what gapwarden already tried'),
  value: z.number().nullable(),
  occurrences: z.number().int(),
  tier: z.number().int().describe('escalation tier reached (0 = first receivers)'),
  startsAt: iso,
  firedAt: iso.nullable(),
  lastSeenAt: iso,
  endsAt: iso.nullable(),
  lastNotifiedAt: iso.nullable(),
  acknowledged: z.object({ at: iso, by: z.string(), comment: z.string().nullable() }).nullable(),
  suppressed: z
    .object({
      by: z.enum(['silence', 'inhibition']),
      silenceId: z.number().int().nullable(),
      alertId: z.number().int().nullable().describe('the alert that inhibits this one'),
      until: iso.nullable(),
    })
    .nullable()
    .describe('why its notifications are held back now'),
  url: z.string().nullable().describe('the alert on the dashboard'),
});

export const historySchema = z.object({
  id: z.number().int(),
  alertId: z.number().int(),
  at: iso,
  change: z
    .string()
    .describe('pending, fired, seen-again, notified, repeated, escalated, acknowledged, resolved, cleared'),
  state: z.string(),
  severity: severity,
  tier: z.number().int(),
  rule: z.string(),
  labels: z.record(z.string(), z.string()),
  detail: z.string().nullable(),
  actor: z.string().nullable(),
});

export const deliverySchema = z.object({
  id: z.number().int(),
  receiver: z.string(),
  kind: z.enum(['firing', 'repeat', 'escalated', 'resolved', 'test']),
  state: z.enum(['pending', 'sending', 'delivered', 'failed']),
  attempts: z.number().int(),
  idempotencyKey: z.string(),
  createdAt: iso,
  nextAttemptAt: iso.nullable(),
  deliveredAt: iso.nullable(),
  lastError: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  alertIds: z.array(z.number().int()),
  log: z.array(
    z.object({
      attempt: z.number().int(),
      at: iso,
      ms: z.number(),
      ok: z.boolean(),
      retryable: z.boolean(),
      status: z.number().int().nullable(),
      error: z.string().nullable(),
      holder: z.string().describe('the process that made the attempt'),
    }),
  ),
});

export const silenceSchema = z.object({
  id: z.number().int(),
  matchers: z.array(z.string()),
  startsAt: iso,
  endsAt: iso,
  expiredAt: iso.nullable(),
  author: z.string(),
  comment: z.string(),
  createdAt: iso,
  status: z.enum(['pending', 'active', 'ended']),
});

export const outboxSchema = z.object({
  pending: z.number().int(),
  sending: z.number().int(),
  delivered: z.number().int(),
  failed: z.number().int(),
});

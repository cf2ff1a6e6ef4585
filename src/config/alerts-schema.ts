import { z } from 'zod';
import { parseLabelMatcher } from '../domain/label-matchers.js';
import { ALERT_LANGUAGES, alertReceiversSchema } from './alert-receivers-schema.js';

/** How urgent an alert is: P0 at once, P1 within minutes, P2 within the hour. */
export const SEVERITIES = ['P0', 'P1', 'P2'] as const;
export type Severity = (typeof SEVERITIES)[number];

export { ALERT_LANGUAGES, type AlertLanguage } from './alert-receivers-schema.js';

/** What a job alert rule reacts to. */
export const JOB_PROBLEMS = ['failed', 'timeout', 'missed'] as const;
export type JobProblem = (typeof JOB_PROBLEMS)[number];

/** The check run statuses a `check` alert rule fires on. */
export const CHECK_PROBLEMS = ['degraded', 'unhealthy', 'error'] as const;
export type CheckProblem = (typeof CHECK_PROBLEMS)[number];

const duration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration such as "500ms", "30s", "5m", "2h" or "1d"'),
]);

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/i;
const NAME_MESSAGE = 'a name of letters, digits, _ or - (starting with a letter or digit, at most 63)';

/** `name=value`, `name!=value`, `name=~regex` or `name!~regex`. */
const matcher = z.string().superRefine((text, ctx) => {
  const parsed = parseLabelMatcher(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

const perSeverity = z
  .object({ P0: duration.optional(), P1: duration.optional(), P2: duration.optional() })
  .strict();

/**
 * One alert rule: exactly one condition (`gap`, `freshness`, `collectFailures`,
 * `sourceDown`, `backfillExhausted`, `job`, `jobLate`), a severity, and
 * optionally a `for` duration the condition must hold before the alert fires.
 */
const ruleSchema = z
  .object({
    severity: z.enum(SEVERITIES),
    description: z.string().optional(),
    /** The datasets the rule watches (dataset conditions only). @default every dataset */
    datasets: z.array(z.string()).min(1).optional(),
    /** How long the condition must hold before the alert fires; it is `pending` until then. @default 0 */
    for: duration.optional(),
    /** Extra labels on every alert of the rule (for routes, silences, inhibition). */
    labels: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a label name'), z.string()).optional(),
    /** Open gaps of a dataset: the largest one's size (partitions) and, optionally, its age. */
    gap: z
      .object({
        /** @default 1 */
        minPartitions: z.number().int().positive().optional(),
        /** Gaps larger than this do not match (another rule covers them). @default no limit */
        maxPartitions: z.number().int().positive().optional(),
        /** Only gaps open at least this long. @default 0 */
        minAge: duration.optional(),
      })
      .strict()
      .optional(),
    /** No new record for longer than `after`. */
    freshness: z.object({ after: duration }).strict().optional(),
    /** This many failed collect runs of the dataset in a row (cleared by a collect that succeeds). */
    collectFailures: z.object({ atLeast: z.number().int().positive() }).strict().optional(),
    /** A source's circuit is open: it failed and is skipped (cleared when it recovers). */
    sourceDown: z
      .object({
        /** @default every source */
        sources: z.array(z.string()).min(1).optional(),
      })
      .strict()
      .optional(),
    /** Partitions whose backfill gave up after `maxAttempts` (cleared when none is left). */
    backfillExhausted: z.object({}).strict().optional(),
    /** A job run failed, timed out, or runs were missed while gapwarden was down (cleared by a run that succeeds). */
    job: z
      .object({
        /** Job ids; `*` matches any characters, e.g. `collect:*`. @default every job */
        jobs: z.array(z.string()).min(1).optional(),
        /** @default ['failed', 'timeout', 'missed'] */
        on: z.array(z.enum(JOB_PROBLEMS)).min(1).optional(),
      })
      .strict()
      .optional(),
    /**
     * A check's last run was degraded, unhealthy or an `error` run (its query failed);
     * cleared by a run that passes (healthy, or a status not in `on`).
     */
    check: z
      .object({
        /** Check names; `*` matches any characters. @default every check */
        checks: z.array(z.string()).min(1).optional(),
        /** @default ['degraded', 'unhealthy', 'error'] */
        on: z.array(z.enum(CHECK_PROBLEMS)).min(1).optional(),
      })
      .strict()
      .optional(),
    /**
     * A stream pipeline's last batch had less than `below` of its expected keys
     * (its availability ratio), or was handed over at its timeout with keys
     * missing; cleared by a batch at or above `below`.
     */
    streamBatches: z
      .object({
        /** Pipeline names; `*` matches any characters. @default every pipeline */
        pipelines: z.array(z.string()).min(1).optional(),
        /** The availability ratio (0..1) a batch must reach. @default 1 (every expected key) */
        below: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
    /** A job run started later than `after` behind its due time (cleared by a run on time). */
    jobLate: z
      .object({
        /** @default every job */
        jobs: z.array(z.string()).min(1).optional(),
        after: duration,
      })
      .strict()
      .optional(),
  })
  .strict();

export const ALERT_CONDITION_KINDS = [
  'gap',
  'freshness',
  'collectFailures',
  'sourceDown',
  'backfillExhausted',
  'job',
  'jobLate',
  'check',
  'streamBatches',
] as const;
export type AlertConditionKind = (typeof ALERT_CONDITION_KINDS)[number];

const escalationSchema = z
  .object({
    /** How long after the alert fired, still unacknowledged, this tier is reached. */
    after: duration,
    /** Who is told at this tier. @default the route's receivers */
    receivers: z.array(z.string()).min(1).optional(),
    /** Raise the alert one severity (P2 → P1 → P0) at this tier. @default false */
    raiseSeverity: z.boolean().optional(),
  })
  .strict();

/**
 * Where alerts go: the first route whose matchers all hold takes the alert.
 * Without routes, every alert goes to every receiver.
 */
const routeSchema = z
  .object({
    /** Label matchers (`severity=P0`, `dataset=~draw.*`); none matches every alert. @default [] */
    match: z.array(matcher).optional(),
    /** The receivers (names under `alerts.receivers`) told first (tier 0). */
    receivers: z.array(z.string()).min(1),
    /** Labels alerts are grouped by into one message. @default alerts.groupBy */
    groupBy: z.array(z.string()).optional(),
    /** Overrides `alerts.groupWait` for this route (every severity). */
    groupWait: duration.optional(),
    /** Overrides `alerts.repeatInterval` for this route (every severity). */
    repeatInterval: duration.optional(),
    /** Tiers reached while an alert stays unacknowledged, in order of `after`. @default [] */
    escalate: z.array(escalationSchema).optional(),
  })
  .strict();

const inhibitSchema = z
  .object({
    /** Matchers of the alert that holds others back (it must be firing or acknowledged). */
    source: z.array(matcher).min(1),
    /** Matchers of the alerts held back. */
    target: z.array(matcher).min(1),
    /** Labels both must share, e.g. `dataset`. @default [] */
    equal: z.array(z.string()).optional(),
  })
  .strict();

export const alertsSchema = z
  .object({
    /** Where notifications go, by name: a channel and its settings (docs/alerts.md#receivers). */
    receivers: alertReceiversSchema.optional(),
    /** The alert rules by name (the name is the alert's `rule` label). @default {} */
    rules: z.record(z.string().regex(NAME, NAME_MESSAGE), ruleSchema).optional(),
    /** Where alerts go, first match wins. @default every alert to every receiver */
    routes: z.array(routeSchema).optional(),
    /** Labels alerts are grouped by into one message. @default ['rule', 'dataset'] */
    groupBy: z.array(z.string()).optional(),
    /** How long a new group waits for more alerts before its first message. @default { P0: 0, P1: '30s', P2: '5m' } */
    groupWait: perSeverity.optional(),
    /** How often a firing, unacknowledged alert is sent again. @default { P0: '30m', P1: '2h', P2: '12h' } */
    repeatInterval: perSeverity.optional(),
    /**
     * Alerts that hold others back while they fire.
     * @default [{ source: ['kind=sourceDown'], target: ['kind=gap'], equal: ['dataset'] }]
     */
    inhibit: z.array(inhibitSchema).optional(),
    /** The language of the messages (a receiver may set its own). @default 'en' */
    language: z.enum(ALERT_LANGUAGES).optional(),
    /** The dashboard's address as people reach it, for links in messages. @default http://<server.host>:<server.port> */
    dashboardUrl: z.string().url().optional(),
    /** How often conditions that need time to pass (freshness, `for`, repeats, escalation) are looked at. @default '10s' */
    evaluateEvery: duration.optional(),
    delivery: z
      .object({
        /** Attempts per notification before it is given up (kept, visible, counted). @default 10 */
        maxAttempts: z.number().int().min(1).max(1000).optional(),
        /** First wait before a retry; doubles per attempt. @default '1s' */
        retryInitial: duration.optional(),
        /** @default '5m' */
        retryMax: duration.optional(),
        /** How long a claimed notification stays with one process. @default '1m' */
        lease: duration.optional(),
        /** Deliveries in flight at once per process. @default 16 */
        concurrency: z.number().int().min(1).max(256).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type AlertsConfig = z.input<typeof alertsSchema>;
export type AlertRuleConfig = z.input<typeof ruleSchema>;

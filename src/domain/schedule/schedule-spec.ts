import { z } from 'zod';
import { describeError } from '../../internal/errors.js';
import { parseDuration } from '../duration.js';
import { assertTimeZone } from '../time-zone.js';
import { parseCron } from './cron-sequence.js';
import { parseLocalTime } from './daily-window.js';
import { createRuleSequence, type ResolvedRule } from './rule-sequence.js';

/** Where the check that a windowed rule fires at all starts looking. */
const PROBE_FROM_MS = Date.UTC(2000, 0, 1);

const durationSchema = z.union([
  z.number().nonnegative(),
  z
    .string()
    .regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, { message: 'a duration such as "10s", "5m", "2h" or "1d"' }),
]);

/**
 * One scheduling rule: exactly one of `cron` or `every`, optionally limited to
 * a local daily window and spread by jitter.
 */
export const scheduleRuleSchema = z
  .object({
    /** Cron expression in `timezone`: 5 fields ('0 2 * * *') or 6 with seconds first ('*\/10 * * * * *'). */
    cron: z.string().optional(),
    /** Fixed interval such as '10s' or '5m' (or milliseconds), aligned to `anchor`. */
    every: durationSchema.optional(),
    /**
     * An instant the interval passes through, as ISO 8601 with a zone ('2026-01-01T00:00:05Z') or epoch ms.
     * @default 0 (the Unix epoch: '10s' fires at :00, :10, :20 ...)
     */
    anchor: z.union([z.string(), z.number()]).optional(),
    /** IANA time zone of `cron` and `between`. @default 'UTC' */
    timezone: z.string().optional(),
    /** Local daily window [start, end) as 'HH:MM' or 'HH:MM:SS'; end before start spans midnight. */
    between: z.tuple([z.string(), z.string()]).optional(),
    /** Each run starts a deterministic delay in [0, jitter) after its due time. @default 0 */
    jitter: durationSchema.optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    let valid = true;
    const issue = (path: string, message: string) => {
      valid = false;
      ctx.addIssue({ code: 'custom', path: [path], message });
    };
    if ((rule.cron === undefined) === (rule.every === undefined)) {
      issue(rule.cron === undefined ? 'every' : 'cron', 'set exactly one of `cron` or `every`');
    }
    if (rule.cron !== undefined) {
      try {
        parseCron(rule.cron);
      } catch (error) {
        issue('cron', describeError(error));
      }
      if (rule.anchor !== undefined)
        issue('anchor', '`anchor` aligns `every`; a cron schedule has no anchor');
    }
    if (rule.every !== undefined && !(Number(parseDuration(rule.every)) >= 1)) {
      issue('every', 'an interval of at least 1ms, such as "10s"');
    }
    if (rule.anchor !== undefined && parseAnchor(rule.anchor) === undefined) {
      issue(
        'anchor',
        "an ISO 8601 instant with a zone, such as '2026-01-01T00:00:05Z', or epoch milliseconds",
      );
    }
    if (rule.timezone !== undefined) {
      try {
        assertTimeZone(rule.timezone);
      } catch (error) {
        issue('timezone', describeError(error));
      }
      if (rule.every !== undefined && rule.between === undefined) {
        issue(
          'timezone',
          "`timezone` on an `every` rule only applies to `between`; for local times of day use `cron`, e.g. '0 0 * * *'",
        );
      }
    }
    if (rule.between !== undefined) {
      const [start, end] = rule.between.map(parseLocalTime);
      if (start === undefined || start >= 86_400_000) {
        issue(
          'between',
          `start ${JSON.stringify(rule.between[0])} is not a local time 'HH:MM' or 'HH:MM:SS'`,
        );
      }
      if (end === undefined) {
        issue(
          'between',
          `end ${JSON.stringify(rule.between[1])} is not a local time 'HH:MM', 'HH:MM:SS' or '24:00'`,
        );
      }
      if (start !== undefined && start === end) {
        issue(
          'between',
          `start and end are the same time (${rule.between[0]}), which is neither empty nor a whole day; give an end after the start, e.g. ['20:55', '21:05'], or drop \`between\``,
        );
      }
      if (valid && createRuleSequence(resolveRule(rule)).next(PROBE_FROM_MS) === undefined) {
        issue(
          'between',
          `the rule never fires inside ${rule.between.join('-')}; widen the window or change the rule`,
        );
      }
    }
  });

/**
 * A job's schedule: one rule or several whose due times are merged (a union,
 * duplicates collapsed).
 *
 * @example
 * { cron: '0 2 * * *', timezone: 'Asia/Shanghai' }
 * [{ cron: '0 * * * *' }, { every: '10s', between: ['20:55', '21:05'], timezone: 'Asia/Shanghai' }]
 */
export const scheduleSpecSchema = z.union([scheduleRuleSchema, z.array(scheduleRuleSchema).min(1)]);

export type ScheduleRuleSpec = z.input<typeof scheduleRuleSchema>;
export type ScheduleSpec = z.input<typeof scheduleSpecSchema>;

/** Epoch ms of an anchor; undefined when it is not an instant with an explicit zone. */
export function parseAnchor(anchor: string | number): number | undefined {
  if (typeof anchor === 'number') return Number.isFinite(anchor) ? anchor : undefined;
  // Without a zone Date.parse would read the text in the process's zone, which differs between machines.
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(anchor.trim())) return undefined;
  const ms = Date.parse(anchor);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A rule that passed {@link scheduleRuleSchema}, with defaults applied and durations in ms. */
export function resolveRule(rule: ScheduleRuleSpec): ResolvedRule {
  const window =
    rule.between === undefined
      ? undefined
      : ([parseLocalTime(rule.between[0]) ?? 0, parseLocalTime(rule.between[1]) ?? 0] as const);
  return {
    ...(rule.cron === undefined ? {} : { cron: rule.cron }),
    ...(rule.every === undefined ? {} : { everyMs: parseDuration(rule.every) ?? Number.NaN }),
    anchorMs: rule.anchor === undefined ? 0 : (parseAnchor(rule.anchor) ?? 0),
    timezone: rule.timezone ?? 'UTC',
    ...(window === undefined ? {} : { window }),
    jitterMs: rule.jitter === undefined ? 0 : (parseDuration(rule.jitter) ?? 0),
  };
}

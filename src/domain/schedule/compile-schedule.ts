import { z } from 'zod';
import { ConfigError } from '../../internal/errors.js';
import { toConfigIssues } from '../../internal/zod-issues.js';
import { createRuleSequence, type ResolvedRule } from './rule-sequence.js';
import { type DueSequence, listDue, type Schedule, walkCount } from './schedule.js';
import { jitteredStart } from './schedule-jitter.js';
import { resolveRule, type ScheduleSpec, scheduleSpecSchema } from './schedule-spec.js';

export interface CompileScheduleOptions {
  /** Where the spec sits in the configuration, for error messages. @default 'schedule' */
  path?: string;
}

/**
 * Validates a schedule spec and compiles it once into a {@link Schedule}.
 * Throws a ConfigError (code CONFIG_INVALID) listing every problem with its
 * field path: a bad cron, an unknown time zone, a window whose start equals
 * its end, a rule that never fires, ...
 *
 * @example
 * const s = compileSchedule([
 *   { cron: '0 2 * * *', timezone: 'Asia/Shanghai' },
 *   { every: '10s', between: ['20:55', '21:05'], timezone: 'Asia/Shanghai', jitter: '2s' },
 * ]);
 * s.next(Date.now()); // the next due time of either rule
 */
export function compileSchedule(spec: ScheduleSpec, options: CompileScheduleOptions = {}): Schedule {
  const parsed = scheduleSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issues = toConfigIssues(new z.ZodError(unwrapUnions(parsed.error.issues, spec)), spec);
    const root = options.path ?? 'schedule';
    throw new ConfigError(
      issues.map((i) => ({
        ...i,
        path: i.path === '' ? root : i.path.startsWith('[') ? root + i.path : `${root}.${i.path}`,
      })),
    );
  }
  const rules = (Array.isArray(parsed.data) ? parsed.data : [parsed.data]).map(resolveRule);
  return createSchedule(rules);
}

/** Builds the schedule of already-resolved rules (see {@link resolveRule}). */
export function createSchedule(rules: readonly ResolvedRule[]): Schedule {
  const sequences = rules.map(createRuleSequence);
  const seq = sequences.length === 1 ? sequences[0]! : mergeSequences(sequences);

  const countBetween = (fromExclusiveMs: number, toInclusiveMs: number, limit = Number.POSITIVE_INFINITY) =>
    seq.countBetween !== undefined
      ? Math.min(limit, seq.countBetween(fromExclusiveMs, toInclusiveMs))
      : walkCount(seq, fromExclusiveMs, toInclusiveMs, limit);

  const jitterMs = (dueMs: number): number => {
    if (rules.length === 1) return rules[0]!.jitterMs;
    // Where rules coincide, the smallest jitter wins: merging never delays a run more than its own rule would.
    let best = Number.POSITIVE_INFINITY;
    rules.forEach((rule, i) => {
      if (rule.jitterMs < best && sequences[i]!.next(dueMs - 1) === dueMs) best = rule.jitterMs;
    });
    return best === Number.POSITIVE_INFINITY ? 0 : best;
  };

  const schedule: Schedule = {
    next: seq.next, // sequences never use `this`, so the hot path skips a wrapper
    dueBetween: (fromExclusiveMs, toInclusiveMs, max) => listDue(seq, fromExclusiveMs, toInclusiveMs, max),
    countBetween,
    latestBetween: (fromExclusiveMs, toInclusiveMs, max) =>
      latestBetween(schedule, fromExclusiveMs, toInclusiveMs, max),
    jitterMs,
    startAt: (jobId, dueMs) => jitteredStart(jobId, dueMs, jitterMs(dueMs)),
  };
  return schedule;
}

/** The union of several sequences; each remembers its last answer, so stepping costs one `next` per rule that fired. */
function mergeSequences(parts: readonly DueSequence[]): DueSequence {
  const askedAfter = parts.map(() => Number.NaN);
  const answer = parts.map(() => Number.POSITIVE_INFINITY);
  return {
    next(afterMs) {
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < parts.length; i++) {
        // An answer stays right for any later question asked before it.
        if (!(afterMs >= askedAfter[i]! && afterMs < answer[i]!)) {
          askedAfter[i] = afterMs;
          answer[i] = parts[i]!.next(afterMs) ?? Number.POSITIVE_INFINITY;
        }
        if (answer[i]! < best) best = answer[i]!;
      }
      return best === Number.POSITIVE_INFINITY ? undefined : best;
    },
  };
}

/**
 * The latest `max` due times of (from, to]: widens a window backwards from `to`
 * until it holds `max`, narrows it again when a burst overshoots, then lists it.
 */
function latestBetween(
  schedule: Schedule,
  fromExclusiveMs: number,
  toInclusiveMs: number,
  max: number,
): number[] {
  if (!(max >= 1) || toInclusiveMs <= fromExclusiveMs) return [];
  const cap = 4 * max + 64;
  let tooLate = toInclusiveMs; // (tooLate, to] holds fewer than max
  let lo = toInclusiveMs;
  for (let span = 1000; ; span *= 2) {
    lo = Math.max(fromExclusiveMs, toInclusiveMs - span);
    if (lo === fromExclusiveMs || schedule.countBetween(lo, toInclusiveMs, max) >= max) break;
    tooLate = lo;
  }
  while (tooLate - lo > 1 && schedule.countBetween(lo, toInclusiveMs, cap) >= cap) {
    const mid = Math.floor((lo + tooLate) / 2);
    if (schedule.countBetween(mid, toInclusiveMs, max) >= max) lo = mid;
    else tooLate = mid;
  }
  const all = schedule.dueBetween(lo, toInclusiveMs, Number.POSITIVE_INFINITY);
  return all.slice(Math.max(0, all.length - max));
}

type Issue = z.core.$ZodIssue;

/** Replaces a union failure with the issues of the branch the input was meant for (object or array). */
function unwrapUnions(issues: readonly Issue[], input: unknown): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
    const meant =
      issue.errors.find((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0)) ??
      issue.errors[0]!;
    return unwrapUnions(
      meant.map((i) => ({ ...i, path: [...issue.path, ...i.path] })),
      input,
    );
  });
}

import { createCronSequence } from './cron-sequence.js';
import { createDailyWindow, withinWindow } from './daily-window.js';
import { createIntervalSequence } from './interval-sequence.js';
import type { DueSequence } from './schedule.js';

/** One validated rule with every default applied and every duration in ms. */
export interface ResolvedRule {
  /** Set for cron rules. */
  cron?: string;
  /** Set for interval rules. */
  everyMs?: number;
  anchorMs: number;
  timezone: string;
  /** [start, end) in ms into the local day. */
  window?: readonly [number, number];
  jitterMs: number;
}

/** The due times of one rule. */
export function createRuleSequence(rule: ResolvedRule): DueSequence {
  const base =
    rule.cron !== undefined
      ? createCronSequence(rule.cron, rule.timezone)
      : createIntervalSequence(rule.everyMs ?? Number.NaN, rule.anchorMs);
  if (rule.window === undefined) return base;
  return withinWindow(base, createDailyWindow(rule.timezone, rule.window[0], rule.window[1]));
}

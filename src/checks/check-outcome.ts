import type { Finding } from './finding.js';

/** Delay figures of a consistency check, in milliseconds (undefined when nothing arrived). */
export interface DelayFigures {
  p50: number | undefined;
  p95: number | undefined;
  max: number | undefined;
  /** Children that arrived later than the check's `lateAfter`. */
  late: number;
}

/** What one evaluation of a check found, before it is scored and stored. */
export interface CheckOutcome {
  /** 0–100: the completion rate (consistency), the share of good rows or buckets, or the query's score. */
  score: number;
  /** What was looked at: parents, rows, buckets, partitions. */
  total: number;
  /** How many findings there are in all (the sample holds at most the check's `sample`). */
  findings: number;
  delay: DelayFigures | undefined;
  /** A bounded sample of the findings, oldest first. */
  sample: Finding[];
}
